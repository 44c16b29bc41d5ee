"""Falls-risk flags: their lifecycle and their HL7 FHIR R4 export."""
