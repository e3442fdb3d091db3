"""What numberdesk provisions on an Asterisk PBX, as plain data: carriers' trunks, branches' call distribution and
the routes from numbers to branches. Each value checks itself when made and raises InvalidInput if it is wrong."""
import ipaddress
import re
from dataclasses import dataclass, field

from models.errors import InvalidInput
from models.numbers import normalise_e164
from models.time_zones import check_time_zone

REGISTRATION = "registration"
IP = "ip"
TRUNK_KINDS = (REGISTRATION, IP)
RING_ALL = "ringall"
HUNT = "hunt"
STRATEGIES = (RING_ALL, HUNT)
CODECS = ("alaw", "ulaw", "g722", "g729", "gsm", "opus")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MIN_RING_SECONDS, MAX_RING_SECONDS = 5, 300

# Ids become file names and Asterisk section and context names.
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
_SIP_USER = re.compile(r"[A-Za-z0-9._+-]{1,64}")
_ENDPOINT = re.compile(r"[A-Za-z0-9_-]{1,40}")
_MAILBOX = re.compile(r"[A-Za-z0-9_-]{1,40}(@[A-Za-z0-9_-]{1,40})?")
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d|24:00")
_DAYS = re.compile(rf"({'|'.join(DAYS)})(-({'|'.join(DAYS)}))?")


def _refuse(what: str, problems: dict[str, str]) -> None:
    if problems:
        raise InvalidInput(f"{what} cannot be provisioned: " + "; ".join(f"{k} {v}" for k, v in problems.items()),
                           problems)


def _check_id(value: str, problems: dict[str, str], name: str = "id") -> None:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        problems[name] = "must be 1-40 lowercase letters, digits, - or _, starting with a letter or digit"


@dataclass(frozen=True)
class Trunk:
    """A carrier's SIP trunk to the PBX.

    kind "registration": the PBX registers at the carrier's registrar host:port with username and password;
    calls come from that host. kind "ip": the carrier sends calls from source_addresses (addresses or networks)
    and takes the PBX's calls at host:port (host defaults to the single source address)."""
    id: str
    kind: str
    host: str = ""
    port: int = 5060
    username: str = ""
    password: str = field(default="", repr=False)
    from_domain: str = ""
    source_addresses: tuple[str, ...] = ()
    codecs: tuple[str, ...] = ("alaw", "ulaw")

    def __post_init__(self):
        problems: dict[str, str] = {}
        _check_id(self.id, problems)
        if self.kind not in TRUNK_KINDS:
            problems["kind"] = f"must be one of {', '.join(TRUNK_KINDS)}"
        if self.host and not _HOST.fullmatch(self.host):
            problems["host"] = "must be a host name or an IPv4 address"
        if not isinstance(self.port, int) or not 1 <= self.port <= 65535:
            problems["port"] = "must be a port number, 1-65535"
        if self.from_domain and not _HOST.fullmatch(self.from_domain):
            problems["from_domain"] = "must be a domain name or an IPv4 address"
        if not self.codecs or any(codec not in CODECS for codec in self.codecs):
            problems["codecs"] = f"must be one or more of {', '.join(CODECS)}"
        if self.kind == REGISTRATION:
            self._check_registration(problems)
        elif self.kind == IP:
            self._check_ip(problems)
        _refuse(f"Trunk {self.id!r}", problems)

    def _check_registration(self, problems: dict[str, str]) -> None:
        if not self.host:
            problems["host"] = "is needed: the carrier's registrar"
        if not isinstance(self.username, str) or not _SIP_USER.fullmatch(self.username):
            problems["username"] = "must be 1-64 letters, digits, . _ + or -"
        password = self.password
        if not isinstance(password, str) or not password:
            problems["password"] = "is needed for a registration trunk"
        elif password != password.strip() or any(c in password for c in "\r\n\0"):
            problems["password"] = "must not start or end with spaces, nor hold line breaks"

    def _check_ip(self, problems: dict[str, str]) -> None:
        if not self.source_addresses:
            problems["source_addresses"] = "are needed: the addresses the carrier sends calls from"
            return
        try:
            networks = [ipaddress.IPv4Network(address, strict=False) for address in self.source_addresses]
        except ValueError:
            problems["source_addresses"] = "must be IPv4 addresses or networks (203.0.113.5, 203.0.113.0/28)"
            return
        if not self.host and (len(networks) != 1 or networks[0].num_addresses != 1):
            problems["host"] = "is needed when the carrier has more than one source address"

    @property
    def sip_host(self) -> str:
        """Where the PBX sends calls and registrations for this trunk."""
        return self.host or str(ipaddress.IPv4Network(self.source_addresses[0], strict=False).network_address)

    @property
    def carrier_address(self) -> str:
        """The address the carrier's calls come from (the first one, for a test call)."""
        if self.kind == REGISTRATION:
            return self.host
        return str(ipaddress.IPv4Network(self.source_addresses[0], strict=False).network_address)


@dataclass(frozen=True)
class OpenHours:
    """When a branch takes calls, in its time zone: days ("mon-fri", or one day "sat"), from opens to closes
    ("09:00", "18:00"; "24:00" is midnight at the end of the day)."""
    days: str
    opens: str
    closes: str

    def __post_init__(self):
        problems: dict[str, str] = {}
        if not isinstance(self.days, str) or not _DAYS.fullmatch(self.days):
            problems["days"] = "must be a day or a range of days, such as mon-fri or sat"
        clocks = [self.opens, self.closes]
        if not all(isinstance(clock, str) and _CLOCK.fullmatch(clock) for clock in clocks):
            problems["hours"] = "must be times of day as HH:MM, such as 09:00 and 18:00"
        elif self.opens >= self.closes:
            problems["hours"] = "must open before they close"
        _refuse(f"Open hours {self.days} {self.opens}-{self.closes}", problems)


@dataclass(frozen=True)
class Branch:
    """A branch's call distribution: its ring group, what happens when nobody answers or it is closed, and the
    caller ID of its outgoing calls.

    strategy "ringall" rings every extension at once for ring_seconds; "hunt" rings them in turn, ring_seconds
    each. The fallback is a voicemail box ("1001" or "1001@context") or another branch's ring group; without
    one, the call ends. Without open_hours the branch is always open. caller_id is one of the branch's numbers:
    its outgoing calls show it and leave through that number's trunk."""
    id: str
    extensions: tuple[str, ...]
    strategy: str = RING_ALL
    ring_seconds: int = 20
    fallback_voicemail: str = ""
    fallback_branch: str = ""
    open_hours: tuple[OpenHours, ...] = ()
    time_zone: str = ""
    caller_id: str = ""

    def __post_init__(self):
        problems: dict[str, str] = {}
        _check_id(self.id, problems)
        extensions = list(self.extensions)
        if not extensions or any(not isinstance(e, str) or not _ENDPOINT.fullmatch(e) for e in extensions):
            problems["extensions"] = "must be one or more PJSIP endpoint names (letters, digits, - or _)"
        elif len(set(extensions)) != len(extensions):
            problems["extensions"] = "must not repeat"
        if self.strategy not in STRATEGIES:
            problems["strategy"] = f"must be one of {', '.join(STRATEGIES)}"
        if not isinstance(self.ring_seconds, int) or not MIN_RING_SECONDS <= self.ring_seconds <= MAX_RING_SECONDS:
            problems["ring_seconds"] = f"must be {MIN_RING_SECONDS}-{MAX_RING_SECONDS} seconds"
        if self.fallback_voicemail and self.fallback_branch:
            problems["fallback"] = "is either a voicemail box or a branch, not both"
        if self.fallback_voicemail and not _MAILBOX.fullmatch(self.fallback_voicemail):
            problems["fallback_voicemail"] = "must be a mailbox such as 1001 or 1001@default"
        if self.fallback_branch:
            _check_id(self.fallback_branch, problems, "fallback_branch")
            if self.fallback_branch == self.id:
                problems["fallback_branch"] = "must be another branch"
        if self.open_hours:
            try:
                check_time_zone(self.time_zone)
            except ValueError as exc:
                problems["time_zone"] = str(exc)
        if self.caller_id:
            try:
                object.__setattr__(self, "caller_id", normalise_e164(self.caller_id))
            except ValueError as exc:
                problems["caller_id"] = str(exc)
        _refuse(f"Branch {self.id!r}", problems)


@dataclass(frozen=True)
class Route:
    """An inbound route: calls to the number did (E.164), arriving on the trunk, go to the branch."""
    did: str
    branch: str
    trunk: str

    def __post_init__(self):
        problems: dict[str, str] = {}
        try:
            object.__setattr__(self, "did", normalise_e164(self.did))
        except ValueError as exc:
            problems["did"] = str(exc)
        _check_id(self.branch, problems, "branch")
        _check_id(self.trunk, problems, "trunk")
        _refuse(f"Route {self.did!r}", problems)


@dataclass(frozen=True)
class Plan:
    """Trunks and branches to provision, and every route to those branches: a branch's configuration is made
    from the routes the plan gives it, so a plan lists all of a branch's numbers."""
    trunks: tuple[Trunk, ...] = ()
    branches: tuple[Branch, ...] = ()
    routes: tuple[Route, ...] = ()

    def __post_init__(self):
        problems: dict[str, str] = {}
        for name, ids in (("trunks", [t.id for t in self.trunks]), ("branches", [b.id for b in self.branches]),
                          ("routes", [r.did for r in self.routes])):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            if repeated:
                problems[name] = f"repeat {', '.join(repeated)}"
        branch_ids = {branch.id for branch in self.branches}
        strays = sorted({route.did for route in self.routes if route.branch not in branch_ids})
        if strays:
            problems["routes"] = f"{', '.join(strays)} go to branches the plan does not have"
        for branch in self.branches:
            if branch.caller_id and branch.caller_id not in {r.did for r in self.routes_to(branch.id)}:
                problems[f"{branch.id}.caller_id"] = "must be one of the branch's numbers"
        cycle = self._fallback_cycle()
        if cycle:
            problems["fallback_branch"] = f"goes round in a circle: {' -> '.join(cycle)}"
        _refuse("The plan", problems)

    def routes_to(self, branch_id: str) -> list[Route]:
        return sorted((route for route in self.routes if route.branch == branch_id), key=lambda route: route.did)

    def _fallback_cycle(self) -> list[str]:
        fallbacks = {branch.id: branch.fallback_branch for branch in self.branches if branch.fallback_branch}
        for start in sorted(fallbacks):
            seen = [start]
            while seen[-1] in fallbacks:
                seen.append(fallbacks[seen[-1]])
                if seen[-1] in seen[:-1]:
                    return seen
        return []
