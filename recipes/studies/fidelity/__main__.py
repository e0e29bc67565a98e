import sys

from recipes.studies.fidelity.main import main

sys.exit(main())
