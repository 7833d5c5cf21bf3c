"""The SMSC simulator: the third-party smpp34 server, scripted to behave like real SMSCs."""
from .behaviour import Behaviour, FinalState, IdFormat, ReceiptForm, ReceiptRouting
from .errors import NoReceiverError, SimConfigError, SimError, SimNotRunningError, SimTimeoutError
from .server import Simulator

__all__ = ["Behaviour", "FinalState", "IdFormat", "ReceiptForm", "ReceiptRouting", "Simulator",
           "SimError", "SimConfigError", "NoReceiverError", "SimNotRunningError", "SimTimeoutError"]
