"""Settings of the insights package (one group of the app's settings object)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class InsightsSettings(BaseModel):
    """How themes are formed and what planners may see (`CURBSIDE_INSIGHTS__*`)."""

    theme_distance: float = Field(
        0.6, gt=0, lt=2,
        description="Cosine distance at which question groups stop merging into one theme "
        "(higher: fewer, broader themes); fitted on the clinician development questions.",
    )
    min_theme_size: int = Field(3, ge=1, description="Questions a group needs to be a theme.")
    join_similarity: float = Field(
        0.45, gt=0, le=1,
        description="Cosine to a theme's centroid at which a new question joins it between "
        "rebuilds.",
    )
    id_match_jaccard: float = Field(
        0.3, gt=0, le=1,
        description="Member overlap at which a rebuilt theme keeps an earlier theme's id.",
    )
    min_clinicians: int = Field(
        5, ge=1,
        description="k-anonymity: themes and figures from fewer distinct clinicians are "
        "suppressed on every surface.",
    )
    low_confidence_score: float = Field(
        1.0, description="Answers whose abstention decision score is below this count as "
        "low-confidence (a gap signal, like abstentions).",
    )
    recent_weeks: int = Field(4, ge=1, le=26, description="Weeks compared for trends.")
    emerging_ratio: float = Field(
        2.0, gt=1, description="Recent weekly rate over the earlier rate that makes a theme "
        "emerging (new themes count as emerging).",
    )
