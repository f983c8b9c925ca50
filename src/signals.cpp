#include "ocirun/signals.hpp"
