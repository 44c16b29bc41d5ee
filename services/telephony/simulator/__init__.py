"""A local Twilio: the REST calls the dialer makes, and the signed webhooks Twilio sends
back while a simulated person answers (or does not answer) the phone."""
