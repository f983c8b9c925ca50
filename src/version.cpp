#include "ocirun/version.hpp"
