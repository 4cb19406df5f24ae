"""Get data: the dataset registry, checked downloads into the Keras cache, and loaders.

Typical use::

    from helpers.data import arrays, download
    (x_train, y_train), (x_test, y_test) = arrays.load_mnist()
    folder = download.fetch("cats_and_dogs")       # folder with train/ and validation/

- :mod:`helpers.data.registry` - every dataset the course uses (:data:`~helpers.data.registry.DATASETS`);
- :mod:`helpers.data.paths` - where things live: the cache, mirrors, locks;
- :mod:`helpers.data.fetch_file` - one file from one address; :mod:`helpers.data.download` - archives
  from mirrors or the public origin, checked and unpacked (:func:`~helpers.data.download.fetch`);
- :mod:`helpers.data.weights` - the ImageNet weight files of the pretrained bases, fetched the same way;
- :mod:`helpers.data.arrays` - MNIST and CIFAR-10 as arrays; :mod:`helpers.data.folders` - datasets
  from a folder of class sub-folders; :mod:`helpers.data.labels_csv` - from a CSV of ``path,label`` rows;
  :mod:`helpers.data.filelist` - the file lists behind them; :mod:`helpers.data.summary` - the registry as a table;
- :mod:`helpers.data.checks` - check a messy folder before training.
"""
