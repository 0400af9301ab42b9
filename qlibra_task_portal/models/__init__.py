from . import qlibra_contract
