"""Every write of appeals (STYLE.md): one use-case per function, in the submodules."""
