"""Domain operations of the cultivation app (fat services, thin views): packages, screening, the
advanced-manufacturing list, sampling and what-if. Every function that reads for a user goes through
``Model.objects.restrict(user, action)``."""
