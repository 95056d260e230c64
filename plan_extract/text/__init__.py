"""The shared language layer every stage uses: simplified views of the text
(``script``), numerals, enumeration markers, punctuation and positions
(``spans``), running headers (``layout``) and jieba segmentation (``segment``)."""
