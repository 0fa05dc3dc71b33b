"""Support policies (惠企政策): policies as data, the calculator, 免申即享 and redemption."""
