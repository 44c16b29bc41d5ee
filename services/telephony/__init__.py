"""Telephony: voice scripts as data, the IVR webhooks, the paced dialer and a local
Twilio simulator."""
