#!/usr/bin/env bash
# make demo: arrives with the apply issue (executor); until then it says so.
echo "make demo: the full sandbox flow arrives with the executor (apply) work."
