"""keras-loss-recipes: loss-function tutorials as reproducible Keras 3 training recipes.

Importing this package does not import Keras: configs are validated first, then the backend is
chosen, then Keras is loaded (see :mod:`recipes.runner`).
"""

__version__ = "0.1.0"
