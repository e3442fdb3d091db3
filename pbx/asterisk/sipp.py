"""The SIP dialogues of a test call, as sipp scenarios: the carrier calling a number, and a phone answering.

The carrier's side takes the first final answer: 200 is acknowledged and hung up, a refusal is acknowledged and
ends the call. Its message log tells the answer's status."""

# Reason phrases of a stand-in phone's refusals.
REASONS = {480: "Temporarily Unavailable", 486: "Busy Here", 603: "Decline"}
# Final refusals a PBX gives a call; any other answer still ends the call, as an unexpected message.
REFUSALS = (400, 401, 403, 404, 407, 408, 410, 480, 481, 484, 486, 487, 488, 500, 502, 503, 504, 600, 603)

_INVITE = """\
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:{caller}@[local_ip]:[local_port]>;tag=[pid]numberdesk[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:{caller}@[local_ip]:[local_port]>
Max-Forwards: 70
Subject: numberdesk test call
Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 0
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
"""

_ACK_REFUSAL = """\
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0
"""

_IN_DIALOG = """\
{method} [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[last_From:]
[last_To:]
[routes]
Call-ID: [call_id]
CSeq: {cseq} {method}
Contact: <sip:{caller}@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0
"""


def _cdata(text: str) -> str:
    return f"<![CDATA[\n{text}\n]]>"


def caller_scenario(caller: str = "carrier") -> str:
    """The carrier: INVITE [service] (the number), then ACK and BYE if answered."""
    refusals = "".join(f'  <recv response="{code}" optional="true" next="refused"/>\n' for code in REFUSALS)
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="numberdesk test call">
  <send retrans="500">{_cdata(_INVITE.format(caller=caller))}</send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
{refusals}  <recv response="200" rrs="true"/>
  <send>{_cdata(_IN_DIALOG.format(method="ACK", cseq=1, caller=caller))}</send>
  <send retrans="500">{_cdata(_IN_DIALOG.format(method="BYE", cseq=2, caller=caller))}</send>
  <recv response="200" next="done"/>
  <label id="refused"/>
  <send>{_cdata(_ACK_REFUSAL)}</send>
  <label id="done"/>
</scenario>
"""


_ANSWER = """\
SIP/2.0 {status}
[last_Via:]
[last_From:]
[last_To:];tag=[pid]numberdesk[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
"""

_SDP = """\
Content-Type: application/sdp
Content-Length: [len]

v=0
o=- 1 1 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 8 0
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
"""

_OK = """\
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
"""


def phone_scenario(answer: int = 200) -> str:
    """A phone that rings and answers with 200 (then waits for the hang-up), or refuses with answer (486 busy)."""
    ringing = _ANSWER.format(status="180 Ringing") + "Content-Length: 0\n"
    if answer == 200:
        reply = (f'  <send retrans="500">{_cdata(_ANSWER.format(status="200 OK") + _SDP)}</send>\n'
                 '  <recv request="ACK"/>\n'
                 '  <recv request="BYE"/>\n'
                 f'  <send>{_cdata(_OK)}</send>\n')
    else:
        refusal = _ANSWER.format(status=f"{answer} {REASONS.get(answer, 'Refused')}") + "Content-Length: 0\n"
        reply = f'  <send>{_cdata(refusal)}</send>\n  <recv request="ACK"/>\n'
    return f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="numberdesk test phone">
  <recv request="INVITE"/>
  <send>{_cdata(ringing)}</send>
{reply}</scenario>
"""
