from . import test_dashboard_data
from . import test_dashboard_access
from . import test_dashboard_figures
from . import test_dashboard_tour
