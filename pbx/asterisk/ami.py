"""An Asterisk PBX as numberdesk reaches it, and short sessions with its manager interface (AMI).

AMI is spoken through astami's asyncio client, each session on an event loop of its own, so the calls here are
plain blocking calls for workflow steps and scripts."""
import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from astami import AMIError, AsyncAMIClient

from .errors import PbxRefused, PbxUnreachable


@dataclass(frozen=True)
class AsteriskPbx:
    """An Asterisk PBX: its configuration folder on this machine (where pjsip.conf is), its manager interface
    and where it takes SIP calls. timeout bounds each connection and answer, in seconds."""
    config_dir: Path
    ami_username: str
    ami_secret: str = field(repr=False)
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    sip_host: str = "127.0.0.1"
    sip_port: int = 5060
    timeout: float = 5.0

    def __post_init__(self):
        object.__setattr__(self, "config_dir", Path(self.config_dir))

    @property
    def ami_address(self) -> str:
        return f"{self.ami_host}:{self.ami_port}"


class AmiSession:
    """A logged-in manager session: actions and CLI commands, each answered or raising PbxError."""

    def __init__(self, pbx: AsteriskPbx, client: AsyncAMIClient, loop: asyncio.AbstractEventLoop):
        self._pbx, self._client, self._loop = pbx, client, loop

    def action(self, name: str, **headers: str) -> dict[str, str]:
        response = self._run(self._client.send_action({"Action": name, **headers}))
        if not response.success:
            raise PbxRefused(f"Asterisk at {self._pbx.ami_address} refused {name}: {response.message}")
        return response.data

    def command(self, text: str) -> list[str]:
        """A CLI command's output lines. A command that finds nothing ("dialplan show" of a missing context)
        answers Error with its output; one refused outright has none."""
        response = self._run(self._client.command(text))
        if not response.success and not response.output:
            raise PbxRefused(f"Asterisk at {self._pbx.ami_address} refused {text!r}: {response.message}")
        return response.output

    def _run(self, coroutine):
        try:
            return self._loop.run_until_complete(coroutine)
        except AMIError as exc:
            raise PbxUnreachable(f"Asterisk at {self._pbx.ami_address} stopped answering: {exc}") from exc


@contextmanager
def ami_session(pbx: AsteriskPbx) -> Iterator[AmiSession]:
    """A session with the PBX's manager interface; PbxUnreachable if it does not answer, PbxRefused if the
    login is wrong."""
    loop = asyncio.new_event_loop()
    client = AsyncAMIClient(pbx.ami_host, pbx.ami_port, pbx.ami_username, pbx.ami_secret, timeout=pbx.timeout)
    try:
        try:
            loop.run_until_complete(client.connect())
            loop.run_until_complete(client.login())
        except AMIError as exc:
            if exc.response is not None:
                raise PbxRefused(f"Asterisk at {pbx.ami_address} refused the login of {pbx.ami_username!r}") \
                    from None
            raise PbxUnreachable(f"Asterisk's manager interface at {pbx.ami_address} does not answer: {exc}") \
                from exc
        yield AmiSession(pbx, client, loop)
    finally:
        if client.authenticated:
            try:
                loop.run_until_complete(client.logoff())
            except AMIError:
                pass  # the session's work is done; a lost goodbye changes nothing
        loop.run_until_complete(client.disconnect())
        loop.close()


def ping(pbx: AsteriskPbx) -> None:
    """Whether the PBX is reachable: returns if its manager interface answers a Ping, raises PbxError if not."""
    with ami_session(pbx) as session:
        session.action("Ping")
