# The host: the valgrind leak check runs in the plain (non-sanitizer) suite;
# man renders the installed man page in the install test.
DEB_TEST_PACKAGES += valgrind man-db
