from . import qlibra_demo
