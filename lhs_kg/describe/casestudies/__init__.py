"""Case-study read models, one module per job: the page (:mod:`.page`), the list
(:mod:`.listing`), the NASSS heat map (:mod:`.heatmap`) and the NASSS names they share
(:mod:`.nasss`)."""

from lhs_kg.describe.casestudies.heatmap import (
    HeatFilter,
    HeatMap,
    HeatPage,
    HeatRow,
    heat_csv,
    heat_page,
    heatmap,
    parse_filter,
    parse_page,
)
from lhs_kg.describe.casestudies.listing import (
    CaseStudyRow,
    case_studies,
    case_study_page,
    count,
)
from lhs_kg.describe.casestudies.nasss import LEVELS, domains, level_id
from lhs_kg.describe.casestudies.page import (
    PLACES,
    CaseStudy,
    Fact,
    Outcome,
    Rating,
    Version,
    case_study,
    case_study_with_evidence,
    english_first,
    english_label,
    versions,
)

__all__ = [
    "LEVELS",
    "PLACES",
    "CaseStudy",
    "CaseStudyRow",
    "Fact",
    "HeatFilter",
    "HeatMap",
    "HeatPage",
    "HeatRow",
    "Outcome",
    "Rating",
    "Version",
    "case_studies",
    "case_study",
    "case_study_page",
    "case_study_with_evidence",
    "count",
    "domains",
    "english_first",
    "english_label",
    "heat_csv",
    "heat_page",
    "heatmap",
    "level_id",
    "parse_filter",
    "parse_page",
    "versions",
]
