from . import test_billing_differs
from . import test_views
from . import test_i18n
