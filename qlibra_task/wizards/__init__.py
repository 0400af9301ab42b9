from . import qlibra_cost_restatement
