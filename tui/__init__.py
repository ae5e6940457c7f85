"""milepay: milestone payments, aging, forecast and chasing for freelancers, in a terminal."""

__version__ = "0.1.0"
