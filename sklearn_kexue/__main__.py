"""Run the tour: ``python -m sklearn_kexue``."""

from sklearn_kexue._tour import main

if __name__ == "__main__":
    main()
