/*
 * error.c: names and messages for DBOT_E* codes, both made from the one
 * X-macro list in dbot.h so they can never drift apart.
 */
#include <dbot/dbot.h>

const char *
dbot_strerror(int err)
{
    switch (err) {
#define DBOT_ERRNO_MSG_(name, val, msg) \
    case val:                           \
        return msg;
        DBOT_ERRNO_MAP(DBOT_ERRNO_MSG_)
#undef DBOT_ERRNO_MSG_
    case 0:
        return "success";
    default:
        return "unknown error";
    }
}

const char *
dbot_err_name(int err)
{
    switch (err) {
#define DBOT_ERRNO_NAME_(name, val, msg) \
    case val:                            \
        return "DBOT_" #name;
        DBOT_ERRNO_MAP(DBOT_ERRNO_NAME_)
#undef DBOT_ERRNO_NAME_
    case 0:
        return "OK";
    default:
        return "DBOT_EUNKNOWN";
    }
}
