"""EHR protocols: HL7 Infobutton, SMART App Launch and CDS Hooks.

Everything here speaks the protocols and matches requests to vetted cards; it never imports
`app/` or FastAPI. Patient details read from an EHR steer the search and are then dropped:
nothing of them is written anywhere.
"""
