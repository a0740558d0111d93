"""What aidctl writes where a record names no school or county: one spelling everywhere, so that a
school's rows from the roster, the ledger and the reports fall in the same group."""

UNKNOWN_SCHOOL = "（学校不明）"
UNKNOWN_COUNTY = "（县区不明）"
NO_SCHOOL_NAMED = "（未指明学校）"   # a complaint about the centre or a county, not about one school
