"""Device gateways: SCAIP over SIP, zigbee2mqtt and OwnTracks over MQTT, OwnTracks HTTP
and the Alexa skill endpoint, each turning a device's wire format into contract events."""
