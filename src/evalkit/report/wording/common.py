"""Rules every generated sentence follows (design.md, Principles):

* without a comparison group a change is *observed* (``havaittiin``), never caused;
* an interval that crosses the null value is *no demonstrated change*;
* a causal sentence ("model X reduced …") needs a comparison design.
"""
