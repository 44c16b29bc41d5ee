from __future__ import annotations

import pytest

from services.gateway.sip import (
    SipError,
    SipUri,
    frame_length,
    message_request,
    parse_message,
    parse_uri,
    response,
)

REQUEST = (
    b"MESSAGE sip:receiver@10.0.0.1:5060 SIP/2.0\r\n"
    b"v: SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK1\r\n"
    b'f: "Hub" <sip:10149471@10.0.0.9:5070>;tag=abc\r\n'
    b"t: <sip:receiver@10.0.0.1:5060>\r\n"
    b"i: call-1\r\n"
    b"CSeq: 7 MESSAGE\r\n"
    b"m: <sip:10149471@10.0.0.9:5071;transport=tcp>\r\n"
    b"c: application/scaip+xml\r\n"
    b"l: 5\r\n\r\n<mrq>trailing"
)


def test_parse_compact_headers_and_cut_body_to_length() -> None:
    message = parse_message(REQUEST)
    assert message.method == "MESSAGE"
    assert message.header("content-type") == "application/scaip+xml"
    assert message.body == b"<mrq>"
    assert message.from_uri == SipUri("10149471", "10.0.0.9", 5070)
    assert message.transaction_key == ("z9hG4bK1", "abc", "call-1", "7 MESSAGE")


def test_a_uri_with_an_impossible_port_is_no_uri() -> None:
    assert parse_uri("<sip:10149471@10.0.0.9:99999>") is None


def test_a_bad_content_length_keeps_the_head_to_answer_400() -> None:
    with pytest.raises(SipError) as caught:
        parse_message(REQUEST.replace(b"l: 5", b"l: 500"))
    assert caught.value.status == 400
    assert caught.value.head is not None and caught.value.head.method == "MESSAGE"


def test_an_oversize_stream_message_is_513_with_its_head() -> None:
    big = REQUEST.replace(b"l: 5", b"l: 2000000")
    with pytest.raises(SipError) as caught:
        frame_length(big)
    assert caught.value.status == 513
    assert caught.value.head is not None and caught.value.head.header("call-id") == "call-1"


def test_response_copies_the_dialog_headers_and_tags_to() -> None:
    answer = parse_message(response(parse_message(REQUEST), 200, "OK"))
    assert answer.start_line == "SIP/2.0 200 OK"
    assert answer.header("via") == "SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK1"
    assert answer.header("call-id") == "call-1"
    assert answer.header("cseq") == "7 MESSAGE"
    assert ";tag=" in (answer.header("to") or "")
    assert answer.header("content-length") == "0"


def test_new_message_has_its_own_call_id_and_body() -> None:
    target = SipUri("10149471", "10.0.0.9", 5070)
    data = message_request(target, "10.0.0.1", 5060, "udp", "application/scaip+xml", b"<mrs/>")
    message = parse_message(data)
    assert message.start_line == "MESSAGE sip:10149471@10.0.0.9:5070 SIP/2.0"
    assert message.header("call-id") != "call-1"
    assert message.body == b"<mrs/>"
    assert frame_length(data + b"MESSAGE") == len(data)


def test_stream_framing_waits_for_the_whole_body() -> None:
    assert frame_length(REQUEST[:40]) is None
    assert frame_length(REQUEST[: REQUEST.index(b"<mrq>") + 2]) is None
    with pytest.raises(SipError):
        frame_length(b"MESSAGE sip:a SIP/2.0\r\nCSeq: 1 MESSAGE\r\n\r\n")


@pytest.mark.parametrize(
    "data", [b"hello", b"GET / HTTP/1.1\r\n\r\n", b"MESSAGE sip:a SIP/2.0\r\nl: 99\r\n\r\nshort"]
)
def test_not_sip_is_refused(data: bytes) -> None:
    with pytest.raises(SipError):
        parse_message(data)


def test_uri_without_user_or_port() -> None:
    assert parse_uri("<sip:example.org>") == SipUri(None, "example.org", None)
