#include "ocirun/cli.hpp"
