#include "ocirun/features.hpp"
