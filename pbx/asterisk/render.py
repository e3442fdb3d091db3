"""A plan as Asterisk configuration: one PJSIP file per trunk, one dialplan file per branch.

The same plan always gives the same text, so an unchanged plan changes no file. The PBX's own pjsip.conf and
extensions.conf pull the files in with the lines in MAIN_INCLUDES."""
import ipaddress

from .plan import HUNT, REGISTRATION, Branch, OpenHours, Plan, Route, Trunk

PJSIP_DIR = "pjsip.d"
DIALPLAN_DIR = "extensions.d"
TRUNK_PREFIX = "trunk-"
BRANCH_PREFIX = "branch-"
MAIN_INCLUDES = {
    "pjsip.conf": f"#tryinclude {PJSIP_DIR}/{TRUNK_PREFIX}*.conf",
    "extensions.conf": f"#tryinclude {DIALPLAN_DIR}/{BRANCH_PREFIX}*.conf",
}
HEADER = "; Written by numberdesk from its records: a change made here is overwritten.\n"
# How long the outgoing leg of a branch's call may ring at the carrier.
OUTBOUND_RING_SECONDS = 60


def trunk_path(trunk_id: str) -> str:
    return f"{PJSIP_DIR}/{TRUNK_PREFIX}{trunk_id}.conf"


def branch_path(branch_id: str) -> str:
    return f"{DIALPLAN_DIR}/{BRANCH_PREFIX}{branch_id}.conf"


def trunk_endpoint(trunk_id: str) -> str:
    """The name of the trunk's PJSIP endpoint (and its aor, identify and registration)."""
    return f"trunk-{trunk_id}"


def inbound_context(trunk_id: str) -> str:
    """The dialplan context of the calls that arrive on the trunk: the routes of its numbers."""
    return f"numberdesk-from-{trunk_id}"


def branch_context(branch_id: str) -> str:
    return f"numberdesk-branch-{branch_id}"


def outbound_context(branch_id: str) -> str:
    """The context a branch's phones dial out through (include it in the phones' own context)."""
    return f"numberdesk-outbound-{branch_id}"


def render_plan(plan: Plan) -> dict[str, str]:
    """Each file of the plan, by its path relative to Asterisk's configuration folder."""
    files = {trunk_path(trunk.id): render_trunk(trunk) for trunk in plan.trunks}
    for branch in plan.branches:
        files[branch_path(branch.id)] = render_branch(branch, plan.routes_to(branch.id))
    return dict(sorted(files.items()))


def _value(text: str) -> str:
    """A value as Asterisk's configuration parser reads it back: a bare ; would start a comment."""
    return text.replace(";", r"\;")


def _section(name: str, options: list[tuple[str, str]]) -> str:
    return f"[{name}]\n" + "".join(f"{key} = {_value(value)}\n" for key, value in options) + "\n"


def render_trunk(trunk: Trunk) -> str:
    name = trunk_endpoint(trunk.id)
    auth = f"{name}-auth"
    target = f"{trunk.sip_host}:{trunk.port}"
    endpoint = [("type", "endpoint"), ("context", inbound_context(trunk.id)), ("disallow", "all"),
                ("allow", ",".join(trunk.codecs)), ("aors", name), ("direct_media", "no"),
                ("rtp_symmetric", "yes"), ("force_rport", "yes"), ("rewrite_contact", "yes")]
    if trunk.kind == REGISTRATION:
        endpoint += [("outbound_auth", auth), ("from_user", trunk.username)]
    if trunk.from_domain:
        endpoint.append(("from_domain", trunk.from_domain))
    if trunk.kind == REGISTRATION:
        matches = [trunk.host]
    else:
        matches = sorted({str(ipaddress.IPv4Network(a, strict=False)) for a in trunk.source_addresses},
                         key=lambda network: ipaddress.IPv4Network(network))
    text = (f"; Trunk {trunk.id} ({trunk.kind}) to {target}.\n" + HEADER + "\n"
            + _section(name, endpoint)
            + _section(name, [("type", "aor"), ("contact", f"sip:{target}")])
            + _section(name, [("type", "identify"), ("endpoint", name), ("match", ",".join(matches))]))
    if trunk.kind == REGISTRATION:
        client_domain = trunk.from_domain or trunk.host
        text += _section(auth, [("type", "auth"), ("username", trunk.username), ("password", trunk.password)])
        # A refused password is final until the trunk changes (forbidden_retry_interval 0): a carrier may lock
        # an account that keeps retrying. A new trunk registers at once, not after a random delay of up to 10 s
        # meant for PBXs with many registrations. line/endpoint tie the carrier's calls to this trunk.
        text += _section(name, [
            ("type", "registration"), ("server_uri", f"sip:{target}"),
            ("client_uri", f"sip:{trunk.username}@{client_domain}"), ("contact_user", trunk.username),
            ("outbound_auth", auth), ("expiration", "300"), ("retry_interval", "30"),
            ("forbidden_retry_interval", "0"), ("max_random_initial_delay", "0"), ("line", "yes"),
            ("endpoint", name)])
    return text.rstrip("\n") + "\n"


def _clock_range(hours: OpenHours) -> str:
    """Asterisk counts the end minute in, so 09:00-18:00 is written 09:00-17:59."""
    hour, minute = divmod(int(hours.closes[:2]) * 60 + int(hours.closes[3:]) - 1, 60)
    return f"{hours.opens}-{hour:02d}:{minute:02d}"


def _fallback(branch: Branch) -> list[str]:
    if branch.fallback_voicemail:
        return [f"VoiceMail({branch.fallback_voicemail},u)", "Hangup()"]
    if branch.fallback_branch:
        return [f"Goto({branch_context(branch.fallback_branch)},group,1)"]
    return ["Hangup()"]


def _extension(name: str, steps: list[str]) -> str:
    first, *rest = steps
    return f"exten => {name},1,{first}\n" + "".join(f" same => n,{step}\n" for step in rest)


def render_branch(branch: Branch, routes: list[Route]) -> str:
    context = branch_context(branch.id)
    text = f"; Branch {branch.id}: {len(routes)} number(s), {branch.strategy} ring group.\n" + HEADER
    by_trunk: dict[str, list[str]] = {}
    for route in routes:
        by_trunk.setdefault(route.trunk, []).append(route.did)
    for trunk_id, dids in sorted(by_trunk.items()):
        # Carriers send the number with or without its +.
        text += f"\n[{inbound_context(trunk_id)}]\n" + "".join(
            f"exten => {number},1,Goto({context},s,1)\n" for did in dids for number in (did, did[1:]))

    opening = [f"GotoIfTime({_clock_range(hours)},{hours.days},*,*,{branch.time_zone}?group,1)"
               for hours in branch.open_hours]
    start = [f"NoOp(numberdesk branch {branch.id})"]
    start += (opening + ["Goto(fallback,1)"]) if opening else ["Goto(group,1)"]
    dials = [f"PJSIP/{extension}" for extension in branch.extensions]
    if branch.strategy == HUNT:
        group = [f"Dial({dial},{branch.ring_seconds})" for dial in dials]
    else:
        group = [f"Dial({'&'.join(dials)},{branch.ring_seconds})"]
    text += (f"\n[{context}]\n" + _extension("s", start) + _extension("group", group + ["Goto(fallback,1)"])
             + _extension("fallback", _fallback(branch)))

    if branch.caller_id:
        trunk_id = next(route.trunk for route in routes if route.did == branch.caller_id)
        outgoing = [f"Set(CALLERID(num)={branch.caller_id})",
                    f"Dial(PJSIP/${{EXTEN}}@{trunk_endpoint(trunk_id)},{OUTBOUND_RING_SECONDS})", "Hangup()"]
        text += (f"\n[{outbound_context(branch.id)}]\n" + _extension("_X.", outgoing)
                 + _extension("_+X.", outgoing))
    return text
