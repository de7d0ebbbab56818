"""The SimPy model of a hiring team. Imports only simpy, numpy and the scenario types."""
