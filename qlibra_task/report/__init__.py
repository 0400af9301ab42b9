from . import qlibra_profitability_report
