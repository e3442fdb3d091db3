"""Asterisk as numberdesk's own PBX: a plan of trunks, branches and routes rendered to configuration files,
applied and reloaded over the manager interface (AMI), checked for drift, and proven with a SIP test call."""
from .ami import AsteriskPbx, ping
from .calls import CallResult, PhoneStandIn, calls_from_here, originate_test_call, place_test_call
from .errors import PbxError, PbxRefused, PbxUnreachable
from .plan import HUNT, IP, REGISTRATION, RING_ALL, Branch, OpenHours, Plan, Route, Trunk
from .provision import Applied, Drift, add_main_includes, apply_plan, check_drift, registration_status, \
    remove_from_pbx
from .render import MAIN_INCLUDES, render_plan

__all__ = [
    "Applied", "AsteriskPbx", "Branch", "CallResult", "Drift", "HUNT", "IP", "MAIN_INCLUDES", "OpenHours",
    "PbxError", "PbxRefused", "PbxUnreachable", "PhoneStandIn", "Plan", "REGISTRATION", "RING_ALL", "Route",
    "Trunk", "add_main_includes", "apply_plan", "calls_from_here", "check_drift", "originate_test_call", "ping",
    "place_test_call", "registration_status", "remove_from_pbx", "render_plan",
]
