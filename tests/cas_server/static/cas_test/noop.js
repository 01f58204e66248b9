/* stands in for the CDN scripts django-cas-server's templates name (no internet in tests) */
