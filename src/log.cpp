#include "ocirun/log.hpp"
