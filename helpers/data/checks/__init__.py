"""Check a messy folder before training: scan it, check its layout and images, quarantine what cannot be used.

- :mod:`helpers.data.checks.scan` - :func:`~helpers.data.checks.scan.scan_folder`, one pass over a folder of class sub-folders;
- :mod:`helpers.data.checks.image_check` - what makes one file a usable image;
- :mod:`helpers.data.checks.layout` - the folder's layout (class sub-folders, splits, archives);
- :mod:`helpers.data.checks.quarantine` - move the files the scan cannot use aside, with a log;
- :mod:`helpers.data.checks.rules` - class counts, split sizes and training settings checked before training.
"""
