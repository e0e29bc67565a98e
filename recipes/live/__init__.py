"""The lab (``python -m recipes lab``, docs/lab.md): a local page where a learner changes a
loss and watches it shape the decision boundary as the run trains, two settings side by side.
Each run goes through the one door, into a run folder like any other; this room only serves
them. The engine never names the lab.
"""
