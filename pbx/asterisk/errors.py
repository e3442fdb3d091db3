"""What can go wrong talking to an Asterisk PBX, told apart so a caller knows whether to retry."""


class PbxError(Exception):
    """The PBX did not do what was asked."""


class PbxUnreachable(PbxError):
    """The PBX's manager interface (AMI) did not answer: refused, timed out or closed. Worth retrying later."""


class PbxRefused(PbxError):
    """The PBX answered but refused: a wrong AMI login, or an action it rejected. Retrying will not help."""
