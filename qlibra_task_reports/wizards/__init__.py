from . import qlibra_statement_wizard
from . import qlibra_service_review_wizard
