
from kerasgrade.cli import main

raise SystemExit(main())
