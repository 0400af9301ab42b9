from . import qlibra_statement_wizard
