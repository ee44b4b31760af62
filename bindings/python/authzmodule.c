/*
 * authzmodule.c - authz._authz, the extension behind the `authz` Python
 * package: a thin layer over libauthz.
 *
 * Every decision, error and normal form comes from the C library; this file
 * only converts Python values to the library's arguments and its results
 * back. Semantics: docs/SPEC.md; the C API: include/authz.h.
 *
 * Conventions:
 *   - Strings are `str`. Lists of entries (scopes, allow lists) reach the
 *     library length-delimited, so an entry with a NUL character is judged
 *     by the library like any other bad byte (AUTHZ_ESYNTAX at its offset).
 *     Request arguments (resource, id, action) with a NUL character raise
 *     ValueError before anything reaches C, as os.open() does.
 *   - Byte offsets in errors are offsets into the entry's UTF-8 bytes.
 *   - The GIL is held throughout. A check takes tens of nanoseconds;
 *     releasing and re-taking the GIL costs more than that, and the
 *     library takes no lock, so holding it blocks no other thread for long.
 *     Catalogs and tokens are immutable, so any number of threads may share
 *     one.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <stdint.h>
#include <string.h>

#include "authz.h"

#if PY_VERSION_HEX < 0x030A0000
#error "the authz module needs Python 3.10 or later"
#endif

/* ---- module state ------------------------------------------------------ */

typedef struct {
    PyObject *Error;                 /* authz.Error */
    PyTypeObject *CatalogType;
    PyTypeObject *TokenType;
    PyTypeObject *TargetType;
    PyTypeObject *ExplanationType;   /* a struct sequence */
    PyObject *coder;                 /* the Catalog for authz_catalog_coder() */
    PyObject *reasons[8];            /* "allowed", "null_argument", ... */
} authz_state;

static struct PyModuleDef authz_module;

static authz_state *state_of_module(PyObject *module)
{
    return (authz_state *)PyModule_GetState(module);
}

static authz_state *state_of_type(PyTypeObject *type)
{
#if PY_VERSION_HEX >= 0x030B0000
    PyObject *m = PyType_GetModuleByDef(type, &authz_module);
#else
    PyObject *m = PyType_GetModule(type);
#endif
    if (m == NULL)
        return NULL;
    return state_of_module(m);
}

static const char *const reason_names[8] = {
    "allowed",   "null_argument", "unknown_resource", "unknown_action",
    "empty_scopes", "no_grant",   "empty_allow",      "not_listed"};

/* ---- objects ----------------------------------------------------------- */

typedef struct {
    PyObject_HEAD
    const authz_catalog *cat;
    authz_catalog *owned; /* NULL for the embedded catalog */
} CatalogObject;

typedef struct {
    PyObject_HEAD
    authz_token *tok;
    PyObject *catalog; /* the Catalog the token was built from: kept alive */
} TokenObject;

typedef struct {
    PyObject_HEAD
    authz_target target;
    PyObject *catalog;
    PyObject *resource, *action;
} TargetObject;

/* ---- errors ------------------------------------------------------------ */

/* Sets o.name to v and drops the reference to v; v NULL (its constructor
 * failed) is the error it raised. */
static int set_attr(PyObject *o, const char *name, PyObject *v)
{
    int rc;
    if (v == NULL)
        return -1;
    rc = PyObject_SetAttrString(o, name, v);
    Py_DECREF(v);
    return rc;
}

/* Raises authz.Error (MemoryError for AUTHZ_ENOMEM) from an error record;
 * always returns NULL. */
static PyObject *raise_error(authz_state *st, const authz_error *e)
{
    PyObject *exc;
    if (e->code == AUTHZ_ENOMEM)
        return PyErr_NoMemory();
    exc = PyObject_CallFunction(st->Error, "s", e->message);
    if (exc == NULL)
        return NULL;
    if (set_attr(exc, "code", PyLong_FromLong(e->code)) < 0 ||
        set_attr(exc, "list", PyLong_FromLong(e->list)) < 0 ||
        set_attr(exc, "index", PyLong_FromSize_t(e->index)) < 0 ||
        set_attr(exc, "offset", PyLong_FromSize_t(e->offset)) < 0 ||
        set_attr(exc, "line", PyLong_FromSize_t(e->line)) < 0 ||
        set_attr(exc, "column", PyLong_FromSize_t(e->column)) < 0) {
        Py_DECREF(exc);
        return NULL;
    }
    PyErr_SetObject(st->Error, exc);
    Py_DECREF(exc);
    return NULL;
}

/* An error that the library reports by code alone (authz_target_resolve,
 * the buffer-writing calls): its message is authz_strerror's. */
static PyObject *raise_code(authz_state *st, int code, const char *what)
{
    authz_error e;
    memset(&e, 0, sizeof e);
    e.code = code;
    if (what != NULL)
        PyOS_snprintf(e.message, sizeof e.message, "%s \"%.200s\"",
                      authz_strerror(code), what);
    else
        PyOS_snprintf(e.message, sizeof e.message, "%s",
                      authz_strerror(code));
    return raise_error(st, &e);
}

/* ---- argument conversion ----------------------------------------------- */

/* A request argument: str, no NUL character. */
static int arg_str(PyObject *o, const char *func, const char *name,
                   const char **p, Py_ssize_t *n)
{
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s() argument '%s' must be str, not %.100s",
                     func, name, Py_TYPE(o)->tp_name);
        return -1;
    }
    *p = PyUnicode_AsUTF8AndSize(o, n);
    if (*p == NULL)
        return -1;
    if (memchr(*p, '\0', (size_t)*n) != NULL) {
        PyErr_Format(PyExc_ValueError, "%s() argument '%s': embedded null character",
                     func, name);
        return -1;
    }
    return 0;
}

/* A list of entries: any iterable of str except a str or bytes itself. On
 * success *fast holds the items (keep it until the C call returns: the
 * pointers in *out point into its strings) and *out a PyMem array. */
typedef struct {
    PyObject *fast;
    authz_str *v;
    size_t n;
} strlist;

static void strlist_clear(strlist *l)
{
    Py_CLEAR(l->fast);
    PyMem_Free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int strlist_from(PyObject *seq, const char *name, strlist *out)
{
    Py_ssize_t n, i;
    out->fast = NULL;
    out->v = NULL;
    out->n = 0;
    if (PyUnicode_Check(seq) || PyBytes_Check(seq) || PyByteArray_Check(seq)) {
        PyErr_Format(PyExc_TypeError,
                     "%s must be a list of str, not a single %.100s", name,
                     Py_TYPE(seq)->tp_name);
        return -1;
    }
    out->fast = PySequence_Fast(seq, "");
    if (out->fast == NULL) {
        PyErr_Format(PyExc_TypeError, "%s must be an iterable of str, not %.100s",
                     name, Py_TYPE(seq)->tp_name);
        return -1;
    }
    n = PySequence_Fast_GET_SIZE(out->fast);
    out->v = PyMem_New(authz_str, n > 0 ? (size_t)n : 1);
    if (out->v == NULL) {
        Py_CLEAR(out->fast);
        PyErr_NoMemory();
        return -1;
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(out->fast, i);
        Py_ssize_t len;
        const char *p;
        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError, "%s[%zd] must be str, not %.100s",
                         name, i, Py_TYPE(item)->tp_name);
            strlist_clear(out);
            return -1;
        }
        p = PyUnicode_AsUTF8AndSize(item, &len);
        if (p == NULL) {
            strlist_clear(out);
            return -1;
        }
        out->v[i].ptr = p;
        out->v[i].len = (size_t)len;
    }
    out->n = (size_t)n;
    return 0;
}

static PyObject *list_to_py(const authz_list *l)
{
    size_t i, n = authz_list_count(l);
    PyObject *r = PyList_New((Py_ssize_t)n);
    if (r == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        PyObject *s = PyUnicode_FromString(authz_list_get(l, i));
        if (s == NULL) {
            Py_DECREF(r);
            return NULL;
        }
        PyList_SET_ITEM(r, (Py_ssize_t)i, s);
    }
    return r;
}

/* None -> the embedded catalog; a Catalog -> itself; anything else raises. */
static CatalogObject *catalog_arg(authz_state *st, PyObject *o)
{
    if (o == NULL || o == Py_None)
        return (CatalogObject *)st->coder;
    if (!PyObject_TypeCheck(o, st->CatalogType)) {
        PyErr_Format(PyExc_TypeError, "catalog must be an authz.Catalog or None, not %.100s",
                     Py_TYPE(o)->tp_name);
        return NULL;
    }
    return (CatalogObject *)o;
}

static int options_from(authz_options *opts, int public, Py_ssize_t max_allow)
{
    authz_options_init(opts);
    if (max_allow < 1) {
        PyErr_SetString(PyExc_ValueError, "max_allow must be at least 1");
        return -1;
    }
    opts->max_allow = (size_t)max_allow;
    opts->flags = public ? AUTHZ_PUBLIC : 0u;
    return 0;
}

/* ---- Catalog ----------------------------------------------------------- */

/* A list the library returned (NULL: the error in err) as a Python list,
 * freed either way. */
static PyObject *list_result(authz_state *st, authz_list *l, const authz_error *err)
{
    PyObject *r;
    if (l == NULL)
        return raise_error(st, err);
    r = list_to_py(l);
    authz_list_free(l);
    return r;
}

static PyObject *catalog_wrap(PyTypeObject *type, const authz_catalog *cat,
                              authz_catalog *owned)
{
    CatalogObject *self = PyObject_New(CatalogObject, type);
    if (self == NULL) {
        authz_catalog_free(owned);
        return NULL;
    }
    self->cat = cat;
    self->owned = owned;
    return (PyObject *)self;
}

static void Catalog_dealloc(CatalogObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    authz_catalog_free(self->owned);
    PyObject_Free(self);
    Py_DECREF(tp);
}

PyDoc_STRVAR(Catalog_coder_doc,
"coder() -> Catalog\n\n"
"The embedded Coder catalog (docs/SPEC.md section 6). Always the same\n"
"object.");

static PyObject *Catalog_coder(PyObject *cls, PyObject *unused)
{
    authz_state *st = state_of_type((PyTypeObject *)cls);
    (void)unused;
    if (st == NULL)
        return NULL;
    Py_INCREF(st->coder);
    return st->coder;
}

PyDoc_STRVAR(Catalog_parse_doc,
"parse(text) -> Catalog\n\n"
"A catalog from its text format (the format of catalog/coder.catalog).\n"
"Raises authz.Error (code ECATALOG, with line and column) when the text\n"
"does not parse.");

static PyObject *Catalog_parse(PyObject *cls, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"text", NULL};
    authz_state *st = state_of_type((PyTypeObject *)cls);
    PyObject *text;
    const char *p;
    Py_ssize_t n;
    authz_error err;
    authz_catalog *cat;
    if (st == NULL)
        return NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "U:parse", kwlist, &text))
        return NULL;
    p = PyUnicode_AsUTF8AndSize(text, &n);
    if (p == NULL)
        return NULL;
    cat = authz_catalog_parse(p, (size_t)n, &err);
    if (cat == NULL)
        return raise_error(st, &err);
    return catalog_wrap(st->CatalogType, cat, cat);
}

static PyObject *Catalog_text(CatalogObject *self, void *closure)
{
    size_t n = authz_catalog_text(self->cat, NULL, 0);
    PyObject *r;
    char *buf;
    (void)closure;
    buf = PyMem_Malloc(n + 1);
    if (buf == NULL)
        return PyErr_NoMemory();
    authz_catalog_text(self->cat, buf, n + 1);
    r = PyUnicode_DecodeUTF8(buf, (Py_ssize_t)n, "strict");
    PyMem_Free(buf);
    return r;
}

static PyObject *Catalog_fingerprint(CatalogObject *self, void *closure)
{
    (void)closure;
    return PyLong_FromUnsignedLongLong(authz_catalog_fingerprint(self->cat));
}

static PyObject *Catalog_types(CatalogObject *self, void *closure)
{
    size_t t, a, nt = authz_catalog_type_count(self->cat);
    PyObject *d = PyDict_New();
    (void)closure;
    if (d == NULL)
        return NULL;
    for (t = 0; t < nt; t++) {
        size_t na = authz_catalog_action_count(self->cat, t);
        PyObject *acts = PyTuple_New((Py_ssize_t)na);
        if (acts == NULL)
            goto fail;
        for (a = 0; a < na; a++) {
            PyObject *s = PyUnicode_FromString(authz_catalog_action_name(self->cat, t, a));
            if (s == NULL) {
                Py_DECREF(acts);
                goto fail;
            }
            PyTuple_SET_ITEM(acts, (Py_ssize_t)a, s);
        }
        if (PyDict_SetItemString(d, authz_catalog_type_name(self->cat, t), acts) < 0) {
            Py_DECREF(acts);
            goto fail;
        }
        Py_DECREF(acts);
    }
    return d;
fail:
    Py_DECREF(d);
    return NULL;
}

static PyObject *Catalog_repr(CatalogObject *self)
{
    char fp[17];
    if (self->owned == NULL)
        return PyUnicode_FromString("authz.Catalog.coder()");
    PyOS_snprintf(fp, sizeof fp, "%016llx",
                  (unsigned long long)authz_catalog_fingerprint(self->cat));
    return PyUnicode_FromFormat("<authz.Catalog %zu types, fingerprint %s>",
                                authz_catalog_type_count(self->cat), fp);
}

static PyMethodDef Catalog_methods[] = {
    {"coder", (PyCFunction)Catalog_coder, METH_NOARGS | METH_CLASS, Catalog_coder_doc},
    {"parse", (PyCFunction)(void (*)(void))Catalog_parse,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS, Catalog_parse_doc},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Catalog_getset[] = {
    {"text", (getter)Catalog_text, NULL,
     "The catalog in its text format; Catalog.parse(c.text) is an identical catalog.", NULL},
    {"fingerprint", (getter)Catalog_fingerprint, NULL,
     "64-bit hash of everything an encoded token refers to; tokens decode\n"
     "only against a catalog with the same fingerprint.", NULL},
    {"types", (getter)Catalog_types, NULL,
     "A dict: each resource type to the tuple of its actions, in order.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

PyDoc_STRVAR(Catalog_doc,
"A catalog: the resource types, their actions and the named scopes.\n\n"
"Immutable; share one between threads freely. Not constructed directly:\n"
"use Catalog.coder() or Catalog.parse(text).");

static PyType_Slot Catalog_slots[] = {
    {Py_tp_dealloc, Catalog_dealloc},
    {Py_tp_repr, Catalog_repr},
    {Py_tp_methods, Catalog_methods},
    {Py_tp_getset, Catalog_getset},
    {Py_tp_doc, (void *)Catalog_doc},
    {0, NULL}};

static PyType_Spec Catalog_spec = {
    "authz.Catalog", sizeof(CatalogObject), 0,
#ifdef Py_TPFLAGS_DISALLOW_INSTANTIATION
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION | Py_TPFLAGS_IMMUTABLETYPE,
#else
    Py_TPFLAGS_DEFAULT,
#endif
    Catalog_slots};

/* ---- Token ------------------------------------------------------------- */

/* A token the library returned (NULL: the error in err) as a Token that
 * owns it. */
static PyObject *token_wrap(authz_state *st, authz_token *tok, CatalogObject *cat,
                            const authz_error *err)
{
    TokenObject *self;
    if (tok == NULL)
        return raise_error(st, err);
    self = PyObject_GC_New(TokenObject, st->TokenType);
    if (self == NULL) {
        authz_token_free(tok);
        return NULL;
    }
    self->tok = tok;
    Py_INCREF(cat);
    self->catalog = (PyObject *)cat;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

PyDoc_STRVAR(Token_doc,
"Token(scopes, allow, catalog=None, *, public=False, max_allow=128)\n\n"
"A token compiled from a list of scopes and an allow list (each a list of\n"
"str). catalog=None is the embedded Coder catalog. public=True accepts only\n"
"the scopes a token may request at creation (AUTHZ_PUBLIC); max_allow\n"
"bounds the allow list, counted before duplicates are removed.\n\n"
"Raises authz.Error with code, list, index and offset when an entry is\n"
"invalid. Empty lists are not errors: the token denies everything.\n"
"Tokens are immutable and may be shared by any number of threads.");

static PyObject *Token_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"scopes", "allow", "catalog", "public", "max_allow", NULL};
    authz_state *st = state_of_type(type);
    PyObject *scopes, *allow, *catalog = Py_None;
    int public = 0;
    Py_ssize_t max_allow = AUTHZ_DEFAULT_MAX_ALLOW;
    CatalogObject *cat;
    strlist s, a;
    authz_options opts;
    authz_error err;
    authz_token *tok;
    if (st == NULL)
        return NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O$pn:Token", kwlist, &scopes,
                                     &allow, &catalog, &public, &max_allow))
        return NULL;
    if ((cat = catalog_arg(st, catalog)) == NULL)
        return NULL;
    if (options_from(&opts, public, max_allow) < 0)
        return NULL;
    if (strlist_from(scopes, "scopes", &s) < 0)
        return NULL;
    if (strlist_from(allow, "allow", &a) < 0) {
        strlist_clear(&s);
        return NULL;
    }
    tok = authz_token_new_ex(cat->cat, s.v, s.n, a.v, a.n, &opts, &err);
    strlist_clear(&s);
    strlist_clear(&a);
    return token_wrap(st, tok, cat, &err);
}

static int Token_traverse(TokenObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->catalog);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int Token_clear(TokenObject *self)
{
    /* The token must go before its catalog. */
    authz_token_free(self->tok);
    self->tok = NULL;
    Py_CLEAR(self->catalog);
    return 0;
}

static void Token_dealloc(TokenObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Token_clear(self);
    PyObject_GC_Del(self);
    Py_DECREF(tp);
}

/* The argument check of a METH_FASTCALL method that takes exactly want
 * positional arguments and no keywords. */
static int positional(const char *func, Py_ssize_t want, Py_ssize_t nargs, PyObject *kwnames)
{
    if (nargs == want && (kwnames == NULL || PyTuple_GET_SIZE(kwnames) == 0))
        return 0;
    if (want == 0)
        PyErr_Format(PyExc_TypeError, "%s() takes no arguments", func);
    else
        PyErr_Format(PyExc_TypeError, "%s() takes exactly %zd positional argument%s", func,
                     want, want == 1 ? "" : "s");
    return -1;
}

/* An object id argument: str, or None (*id NULL, *n 0). */
static int arg_id(PyObject *o, const char *func, const char *name, const char **id,
                  Py_ssize_t *n)
{
    *id = NULL;
    *n = 0;
    return o == Py_None ? 0 : arg_str(o, func, name, id, n);
}

/* The (resource, id, action) arguments of check() and explain(). */
typedef struct {
    const char *r, *id, *a;
    Py_ssize_t rn, idn, an;
} request_args;

static int arg_request(PyObject *const *args, const char *func, request_args *q)
{
    if (arg_str(args[0], func, "resource", &q->r, &q->rn) < 0 ||
        arg_id(args[1], func, "id", &q->id, &q->idn) < 0 ||
        arg_str(args[2], func, "action", &q->a, &q->an) < 0)
        return -1;
    return 0;
}

PyDoc_STRVAR(Token_check_doc,
"check(resource, id, action, /) -> bool\n\n"
"May this token perform action on the object of type resource whose id is\n"
"id? id is a str or None (an object without an id, as in a create). Any\n"
"unknown name denies. Never allocates in the library; about as fast as a\n"
"method call can be.");

static PyObject *Token_check(TokenObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    request_args q;
    if (nargs != 3) {
        PyErr_Format(PyExc_TypeError, "check() takes exactly 3 arguments (%zd given)", nargs);
        return NULL;
    }
    if (arg_request(args, "check", &q) < 0)
        return NULL;
    if (authz_check_n(self->tok, q.r, (size_t)q.rn, q.id, (size_t)q.idn, q.a, (size_t)q.an))
        Py_RETURN_TRUE;
    Py_RETURN_FALSE;
}

PyDoc_STRVAR(Token_explain_doc,
"explain(resource, id, action, /) -> Explanation\n\n"
"The decision of check() with its reason: allowed, reason (one of\n"
"'allowed', 'null_argument', 'unknown_resource', 'unknown_action',\n"
"'empty_scopes', 'no_grant', 'empty_allow', 'not_listed'), the first\n"
"scope that grants the request and its index, the allow entry that admits\n"
"the object (normal form) and its index; None where there is none.");

static PyObject *opt_str(const char *s)
{
    if (s[0] == '\0')
        Py_RETURN_NONE;
    return PyUnicode_FromString(s);
}

static PyObject *opt_index(size_t i)
{
    if (i == AUTHZ_NO_INDEX)
        Py_RETURN_NONE;
    return PyLong_FromSize_t(i);
}

static PyObject *Token_explain(TokenObject *self, PyTypeObject *defining,
                               PyObject *const *args, Py_ssize_t nargs,
                               PyObject *kwnames)
{
    authz_state *st = (authz_state *)PyType_GetModuleState(defining);
    request_args q;
    authz_explanation ex;
    PyObject *res, *v[7];
    int i;
    if (st == NULL || positional("explain", 3, nargs, kwnames) < 0 ||
        arg_request(args, "explain", &q) < 0)
        return NULL;
    v[0] = PyBool_FromLong(authz_explain_n(self->tok, q.r, (size_t)q.rn, q.id, (size_t)q.idn,
                                           q.a, (size_t)q.an, &ex));
    if ((unsigned)ex.reason < 8u) {
        v[1] = st->reasons[ex.reason];
        Py_INCREF(v[1]);
    } else {
        v[1] = PyUnicode_FromFormat("reason_%d", (int)ex.reason);
    }
    v[2] = opt_str(ex.scope);
    v[3] = opt_index(ex.scope_index);
    v[4] = opt_str(ex.allow);
    v[5] = opt_index(ex.allow_index);
    v[6] = PyUnicode_FromString(authz_reason_str(ex.reason));
    res = PyStructSequence_New(st->ExplanationType);
    for (i = 0; i < 7; i++) {
        if (v[i] == NULL || res == NULL) {
            for (; i < 7; i++)
                Py_XDECREF(v[i]);
            Py_XDECREF(res);
            return NULL;
        }
        PyStructSequence_SET_ITEM(res, i, v[i]);
    }
    return res;
}

static int target_arg(authz_state *st, PyObject *o, TargetObject **out)
{
    if (!PyObject_TypeCheck(o, st->TargetType)) {
        PyErr_Format(PyExc_TypeError, "target must be an authz.Target, not %.100s",
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    *out = (TargetObject *)o;
    return 0;
}

PyDoc_STRVAR(Token_check_target_doc,
"check_target(target, id, /) -> bool\n\n"
"check() for a pre-resolved Target: only the id is looked at. A target of\n"
"another catalog than the token's denies.");

static PyObject *Token_check_target(TokenObject *self, PyTypeObject *defining,
                                    PyObject *const *args, Py_ssize_t nargs,
                                    PyObject *kwnames)
{
    authz_state *st = (authz_state *)PyType_GetModuleState(defining);
    TargetObject *t;
    const char *id;
    Py_ssize_t idn;
    if (st == NULL || positional("check_target", 2, nargs, kwnames) < 0 ||
        target_arg(st, args[0], &t) < 0 || arg_id(args[1], "check_target", "id", &id, &idn) < 0)
        return NULL;
    if (authz_check_target(self->tok, &t->target, id, (size_t)idn))
        Py_RETURN_TRUE;
    Py_RETURN_FALSE;
}

PyDoc_STRVAR(Token_check_many_doc,
"check_many(target, ids, /) -> list[bool]\n\n"
"check_target() for each id of a sequence (str or None each), in one call\n"
"to the library (authz_check_many): what a list endpoint needs. Raises\n"
"TypeError / ValueError, before any check, if an id is neither str nor None\n"
"or holds a NUL character.");

/* Up to this many ids, the id and answer arrays live on the stack. */
#define MANY_STACK 64

static PyObject *Token_check_many(TokenObject *self, PyTypeObject *defining,
                                  PyObject *const *args, Py_ssize_t nargs,
                                  PyObject *kwnames)
{
    authz_state *st = (authz_state *)PyType_GetModuleState(defining);
    TargetObject *t;
    PyObject *fast, *res = NULL;
    Py_ssize_t i, n;
    const char *ids_stack[MANY_STACK], **ids = ids_stack;
    bool allowed_stack[MANY_STACK], *allowed = allowed_stack;
    if (st == NULL || positional("check_many", 2, nargs, kwnames) < 0 ||
        target_arg(st, args[0], &t) < 0)
        return NULL;
    if (PyUnicode_Check(args[1]) || PyBytes_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "check_many() ids must be a sequence of str, not a single string");
        return NULL;
    }
    fast = PySequence_Fast(args[1], "check_many() ids must be an iterable");
    if (fast == NULL)
        return NULL;
    n = PySequence_Fast_GET_SIZE(fast);
    if (n > MANY_STACK) {
        ids = PyMem_New(const char *, (size_t)n);
        allowed = PyMem_New(bool, (size_t)n);
        if (ids == NULL || allowed == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    /* Every id is converted and checked first: nothing is decided unless
     * all are acceptable. The UTF-8 form of a str is NUL-terminated, as
     * authz_check_many wants, and lives as long as the str. */
    for (i = 0; i < n; i++) {
        PyObject *o = PySequence_Fast_GET_ITEM(fast, i);
        Py_ssize_t idn;
        if (arg_id(o, "check_many", "ids[i]", &ids[i], &idn) < 0)
            goto done;
    }
    (void)authz_check_many(self->tok, &t->target, ids, (size_t)n, allowed);
    res = PyList_New(n);
    if (res == NULL)
        goto done;
    for (i = 0; i < n; i++) {
        PyObject *b = allowed[i] ? Py_True : Py_False;
        Py_INCREF(b);
        PyList_SET_ITEM(res, i, b);
    }
done:
    if (ids != ids_stack)
        PyMem_Free((void *)ids);
    if (allowed != allowed_stack)
        PyMem_Free(allowed);
    Py_DECREF(fast);
    return res;
}

PyDoc_STRVAR(Token_granted_ids_doc,
"granted_ids(target, /) -> (str, list[str])\n\n"
"Which objects may the token act on, for the target's type and action?\n"
"('all', []): every object, with or without an id; ('none', []): none;\n"
"('listed', ids): exactly these ids, canonical lower-case UUIDs, sorted. An\n"
"id is listed exactly when check_target() allows it. One pass over the\n"
"token's ids, not a check per row (authz_token_granted_ids).");

static PyObject *Token_granted_ids(TokenObject *self, PyTypeObject *defining,
                                   PyObject *const *args, Py_ssize_t nargs,
                                   PyObject *kwnames)
{
    authz_state *st = (authz_state *)PyType_GetModuleState(defining);
    TargetObject *t;
    authz_granted which;
    authz_list *ids = NULL;
    authz_error err;
    PyObject *lst;
    const char *name;
    if (st == NULL || positional("granted_ids", 1, nargs, kwnames) < 0 ||
        target_arg(st, args[0], &t) < 0)
        return NULL;
    if (authz_token_granted_ids(self->tok, &t->target, &which, &ids, &err) != AUTHZ_OK)
        return raise_error(st, &err);
    lst = list_to_py(ids);
    authz_list_free(ids);
    if (lst == NULL)
        return NULL;
    name = which == AUTHZ_GRANTED_ALL ? "all" : which == AUTHZ_GRANTED_LISTED ? "listed" : "none";
    return Py_BuildValue("(sN)", name, lst);
}

PyDoc_STRVAR(Token_granted_sql_doc,
"granted_sql(target, column, /) -> str\n\n"
"The same answer as an SQL predicate over column, for a list endpoint's\n"
"WHERE clause: '1', '0' or \"column IN ('<uuid>', ...)\". column must be a\n"
"plain identifier, optionally qualified once ('id', 'w.id'); anything else\n"
"raises authz.Error (EINVAL). The ids need no quoting.");

/* Calls a snprintf-like writer that reports AUTHZ_ESPACE with the needed
 * length, growing the buffer once, and converts what it wrote (bytes,
 * UTF-8 or ASCII text). An error other than AUTHZ_ENOMEM is raised as
 * authz.Error, quoting what if it is not NULL. */
typedef int (*writer_fn)(const void *ctx, char *buf, size_t cap, size_t *len);
typedef PyObject *(*convert_fn)(const char *s, Py_ssize_t n);

static PyObject *write_as(authz_state *st, writer_fn fn, const void *ctx, size_t extra,
                          const char *what, convert_fn convert)
{
    size_t cap = 512, len = 0;
    int i;
    for (i = 0; i < 2; i++) {
        char *buf = PyMem_Malloc(cap);
        int rc;
        if (buf == NULL)
            return PyErr_NoMemory();
        rc = fn(ctx, buf, cap, &len);
        if (rc == AUTHZ_OK) {
            PyObject *r = convert(buf, (Py_ssize_t)len);
            PyMem_Free(buf);
            return r;
        }
        PyMem_Free(buf);
        if (rc != AUTHZ_ESPACE)
            return rc == AUTHZ_ENOMEM ? PyErr_NoMemory() : raise_code(st, rc, what);
        cap = len + extra;
    }
    return raise_code(st, AUTHZ_ESPACE, NULL);
}

static PyObject *from_bytes(const char *s, Py_ssize_t n)
{
    return PyBytes_FromStringAndSize(s, n);
}

static PyObject *from_utf8(const char *s, Py_ssize_t n)
{
    return PyUnicode_DecodeUTF8(s, n, "strict");
}

static PyObject *from_ascii(const char *s, Py_ssize_t n)
{
    return PyUnicode_DecodeASCII(s, n, "strict");
}

struct sql_args {
    const authz_token *tok;
    const authz_target *target;
    const char *col;
};

static int write_sql(const void *ctx, char *buf, size_t cap, size_t *len)
{
    const struct sql_args *a = ctx;
    return authz_token_granted_sql(a->tok, a->target, a->col, buf, cap, len);
}

static PyObject *Token_granted_sql(TokenObject *self, PyTypeObject *defining,
                                   PyObject *const *args, Py_ssize_t nargs,
                                   PyObject *kwnames)
{
    authz_state *st = (authz_state *)PyType_GetModuleState(defining);
    TargetObject *t;
    struct sql_args a;
    Py_ssize_t coln;
    if (st == NULL || positional("granted_sql", 2, nargs, kwnames) < 0 ||
        target_arg(st, args[0], &t) < 0 ||
        arg_str(args[1], "granted_sql", "column", &a.col, &coln) < 0)
        return NULL;
    a.tok = self->tok;
    a.target = &t->target;
    return write_as(st, write_sql, &a, 1, a.col, from_utf8);
}

static int write_text(const void *tok, char *buf, size_t cap, size_t *len)
{
    return authz_token_text(tok, buf, cap, len);
}

static int write_bin(const void *tok, char *buf, size_t cap, size_t *len)
{
    return authz_token_encode(tok, buf, cap, len);
}

static int write_bin_text(const void *tok, char *buf, size_t cap, size_t *len)
{
    return authz_token_encode_text(tok, buf, cap, len);
}

/* encode() and encode_text(): no arguments, one writer each. */
static PyObject *token_write(TokenObject *self, PyTypeObject *defining, const char *func,
                             Py_ssize_t nargs, PyObject *kwnames, writer_fn fn, size_t extra,
                             convert_fn convert)
{
    authz_state *st = (authz_state *)PyType_GetModuleState(defining);
    if (st == NULL || positional(func, 0, nargs, kwnames) < 0)
        return NULL;
    return write_as(st, fn, self->tok, extra, NULL, convert);
}

static PyObject *Token_text(TokenObject *self, void *closure)
{
    authz_state *st = state_of_type(Py_TYPE(self));
    (void)closure;
    if (st == NULL)
        return NULL;
    return write_as(st, write_text, self->tok, 1, NULL, from_utf8);
}

PyDoc_STRVAR(Token_encode_doc,
"encode() -> bytes\n\n"
"The binary form (docs/FORMAT.md): versioned, canonical (equal tokens give\n"
"equal bytes), tied to the catalog's fingerprint, checksummed.");

static PyObject *Token_encode(TokenObject *self, PyTypeObject *defining,
                              PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)args;
    return token_write(self, defining, "encode", nargs, kwnames, write_bin, 0, from_bytes);
}

PyDoc_STRVAR(Token_encode_text_doc,
"encode_text() -> str\n\n"
"The binary form as unpadded base64url text, for headers and cookies.");

static PyObject *Token_encode_text(TokenObject *self, PyTypeObject *defining,
                                   PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    (void)args;
    return token_write(self, defining, "encode_text", nargs, kwnames, write_bin_text, 1,
                       from_ascii);
}

PyDoc_STRVAR(Token_decode_doc,
"decode(data, catalog=None, *, public=False, max_allow=128) -> Token\n\n"
"A token from its binary form (bytes-like). Every byte is treated as\n"
"hostile; raises authz.Error (EFORMAT, EVERSION, EMISMATCH, ECHECKSUM, with\n"
"the byte offset) when the data is not a canonical encoding for catalog.");

static PyObject *Token_decode(PyObject *cls, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"data", "catalog", "public", "max_allow", NULL};
    authz_state *st = state_of_type((PyTypeObject *)cls);
    Py_buffer data;
    PyObject *catalog = Py_None;
    int public = 0;
    Py_ssize_t max_allow = AUTHZ_DEFAULT_MAX_ALLOW;
    CatalogObject *cat;
    authz_options opts;
    authz_error err;
    authz_token *tok;
    if (st == NULL)
        return NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "y*|O$pn:decode", kwlist, &data,
                                     &catalog, &public, &max_allow))
        return NULL;
    if ((cat = catalog_arg(st, catalog)) == NULL || options_from(&opts, public, max_allow) < 0) {
        PyBuffer_Release(&data);
        return NULL;
    }
    tok = authz_token_decode_ex(cat->cat, data.buf, (size_t)data.len, &opts, &err);
    PyBuffer_Release(&data);
    return token_wrap(st, tok, cat, &err);
}

PyDoc_STRVAR(Token_decode_text_doc,
"decode_text(text, catalog=None, *, public=False, max_allow=128) -> Token\n\n"
"A token from the base64url text encode_text() gives. Errors in the text\n"
"have list LIST_ENCODING_TEXT and offsets in the text.");

static PyObject *Token_decode_text(PyObject *cls, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"text", "catalog", "public", "max_allow", NULL};
    authz_state *st = state_of_type((PyTypeObject *)cls);
    PyObject *text, *catalog = Py_None;
    int public = 0;
    Py_ssize_t max_allow = AUTHZ_DEFAULT_MAX_ALLOW, n;
    const char *p;
    CatalogObject *cat;
    authz_options opts;
    authz_error err;
    authz_token *tok;
    if (st == NULL)
        return NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "U|O$pn:decode_text", kwlist, &text,
                                     &catalog, &public, &max_allow))
        return NULL;
    if ((cat = catalog_arg(st, catalog)) == NULL || options_from(&opts, public, max_allow) < 0)
        return NULL;
    p = PyUnicode_AsUTF8AndSize(text, &n);
    if (p == NULL)
        return NULL;
    tok = authz_token_decode_text(cat->cat, p, (size_t)n, &opts, &err);
    return token_wrap(st, tok, cat, &err);
}

typedef authz_list *(*token_list_fn)(const authz_token *, authz_error *);

static PyObject *token_list(TokenObject *self, token_list_fn fn)
{
    authz_state *st = state_of_type(Py_TYPE(self));
    authz_error err;
    PyObject *lst, *r;
    if (st == NULL)
        return NULL;
    lst = list_result(st, fn(self->tok, &err), &err);
    if (lst == NULL)
        return NULL;
    r = PyList_AsTuple(lst);
    Py_DECREF(lst);
    return r;
}

static PyObject *Token_scopes(TokenObject *self, void *closure)
{
    (void)closure;
    return token_list(self, authz_token_scopes);
}

static PyObject *Token_allow(TokenObject *self, void *closure)
{
    (void)closure;
    return token_list(self, authz_token_allow);
}

static PyObject *Token_catalog(TokenObject *self, void *closure)
{
    (void)closure;
    Py_INCREF(self->catalog);
    return self->catalog;
}

static PyObject *Token_repr(TokenObject *self)
{
    PyObject *s = Token_scopes(self, NULL), *a, *r;
    if (s == NULL)
        return NULL;
    a = Token_allow(self, NULL);
    if (a == NULL) {
        Py_DECREF(s);
        return NULL;
    }
    r = PyUnicode_FromFormat("<authz.Token scopes=%R allow=%R>", s, a);
    Py_DECREF(s);
    Py_DECREF(a);
    return r;
}

#define FASTMETH (METH_METHOD | METH_FASTCALL | METH_KEYWORDS)

/* Token and Target: immutable, garbage-collected (they hold their Catalog). */
#define GC_TYPE_FLAGS (Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE)

static PyMethodDef Token_methods[] = {
    {"check", (PyCFunction)(void (*)(void))Token_check, METH_FASTCALL, Token_check_doc},
    {"explain", (PyCFunction)(void (*)(void))Token_explain, FASTMETH, Token_explain_doc},
    {"check_target", (PyCFunction)(void (*)(void))Token_check_target, FASTMETH,
     Token_check_target_doc},
    {"check_many", (PyCFunction)(void (*)(void))Token_check_many, FASTMETH,
     Token_check_many_doc},
    {"granted_ids", (PyCFunction)(void (*)(void))Token_granted_ids, FASTMETH,
     Token_granted_ids_doc},
    {"granted_sql", (PyCFunction)(void (*)(void))Token_granted_sql, FASTMETH,
     Token_granted_sql_doc},
    {"encode", (PyCFunction)(void (*)(void))Token_encode, FASTMETH, Token_encode_doc},
    {"encode_text", (PyCFunction)(void (*)(void))Token_encode_text, FASTMETH,
     Token_encode_text_doc},
    {"decode", (PyCFunction)(void (*)(void))Token_decode,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS, Token_decode_doc},
    {"decode_text", (PyCFunction)(void (*)(void))Token_decode_text,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS, Token_decode_text_doc},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Token_getset[] = {
    {"text", (getter)Token_text, NULL,
     "The canonical text: 'scopes: ...\\nallow: ...\\n', as `authz normalize` prints.", NULL},
    {"scopes", (getter)Token_scopes, NULL, "The scopes in normal form, a tuple of str.", NULL},
    {"allow", (getter)Token_allow, NULL, "The allow list in normal form, a tuple of str.", NULL},
    {"catalog", (getter)Token_catalog, NULL, "The Catalog the token was built from.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyType_Slot Token_slots[] = {
    {Py_tp_new, Token_new},
    {Py_tp_dealloc, Token_dealloc},
    {Py_tp_traverse, Token_traverse},
    {Py_tp_clear, Token_clear},
    {Py_tp_repr, Token_repr},
    {Py_tp_methods, Token_methods},
    {Py_tp_getset, Token_getset},
    {Py_tp_doc, (void *)Token_doc},
    {0, NULL}};

static PyType_Spec Token_spec = {
    "authz.Token", sizeof(TokenObject), 0, GC_TYPE_FLAGS, Token_slots};

/* ---- Target ------------------------------------------------------------ */

PyDoc_STRVAR(Target_doc,
"Target(resource, action, catalog=None)\n\n"
"A resource type and action resolved once, for Token.check_target() and\n"
"Token.check_many(). Raises authz.Error (ETYPE, EACTION) for a name the\n"
"catalog does not have.");

static PyObject *Target_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"resource", "action", "catalog", NULL};
    authz_state *st = state_of_type(type);
    PyObject *resource, *action, *catalog = Py_None;
    CatalogObject *cat;
    const char *r, *a;
    Py_ssize_t rn, an;
    TargetObject *self;
    int rc;
    if (st == NULL)
        return NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|O:Target", kwlist, &resource, &action,
                                     &catalog))
        return NULL;
    if ((cat = catalog_arg(st, catalog)) == NULL)
        return NULL;
    if (arg_str(resource, "Target", "resource", &r, &rn) < 0 ||
        arg_str(action, "Target", "action", &a, &an) < 0)
        return NULL;
    self = PyObject_GC_New(TargetObject, type);
    if (self == NULL)
        return NULL;
    rc = authz_target_resolve_n(cat->cat, r, (size_t)rn, a, (size_t)an, &self->target);
    Py_INCREF(cat);
    self->catalog = (PyObject *)cat;
    Py_INCREF(resource);
    self->resource = resource;
    Py_INCREF(action);
    self->action = action;
    PyObject_GC_Track(self);
    if (rc != AUTHZ_OK) {
        Py_DECREF(self);
        return raise_code(st, rc, rc == AUTHZ_EACTION ? a : r);
    }
    return (PyObject *)self;
}

static int Target_traverse(TargetObject *self, visitproc visit, void *arg)
{
    Py_VISIT(self->catalog);
    Py_VISIT(Py_TYPE(self));
    return 0;
}

static int Target_clear(TargetObject *self)
{
    Py_CLEAR(self->catalog);
    Py_CLEAR(self->resource);
    Py_CLEAR(self->action);
    return 0;
}

static void Target_dealloc(TargetObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Target_clear(self);
    PyObject_GC_Del(self);
    Py_DECREF(tp);
}

static PyObject *Target_repr(TargetObject *self)
{
    return PyUnicode_FromFormat("authz.Target(%R, %R)", self->resource, self->action);
}

static PyMemberDef Target_members[] = {
    {"resource", T_OBJECT, offsetof(TargetObject, resource), READONLY, "The resource type."},
    {"action", T_OBJECT, offsetof(TargetObject, action), READONLY, "The action."},
    {"catalog", T_OBJECT, offsetof(TargetObject, catalog), READONLY, "The Catalog."},
    {NULL, 0, 0, 0, NULL}};

static PyType_Slot Target_slots[] = {
    {Py_tp_new, Target_new},
    {Py_tp_dealloc, Target_dealloc},
    {Py_tp_traverse, Target_traverse},
    {Py_tp_clear, Target_clear},
    {Py_tp_repr, Target_repr},
    {Py_tp_members, Target_members},
    {Py_tp_doc, (void *)Target_doc},
    {0, NULL}};

static PyType_Spec Target_spec = {
    "authz.Target", sizeof(TargetObject), 0, GC_TYPE_FLAGS, Target_slots};

/* ---- Explanation ------------------------------------------------------- */

static PyStructSequence_Field Explanation_fields[] = {
    {"allowed", "the decision, as check() gives it"},
    {"reason", "why: 'allowed', 'no_grant', 'not_listed', ..."},
    {"scope", "the first scope that grants the request, or None"},
    {"scope_index", "its index in the token's scope list, or None"},
    {"entry", "the allow entry (normal form) that admits the object, or None"},
    {"entry_index", "its index in the allow list given, or None"},
    {"description", "the reason as a phrase: 'no scope grants it'"},
    {NULL, NULL}};

static PyStructSequence_Desc Explanation_desc = {
    "authz.Explanation", "Why a check allowed or denied (Token.explain).",
    Explanation_fields, 7};

/* ---- module functions -------------------------------------------------- */

PyDoc_STRVAR(normalize_scopes_doc,
"normalize_scopes(scopes, *, catalog=None) -> list[str]\n\n"
"The canonical scope list: aliases replaced by the scopes they name,\n"
"duplicates dropped, sorted by bytes.");

static PyObject *m_normalize_scopes(PyObject *m, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"scopes", "catalog", NULL};
    authz_state *st = state_of_module(m);
    PyObject *scopes, *catalog = Py_None;
    CatalogObject *cat;
    strlist s;
    authz_error err;
    authz_list *l;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$O:normalize_scopes", kwlist, &scopes,
                                     &catalog))
        return NULL;
    if ((cat = catalog_arg(st, catalog)) == NULL || strlist_from(scopes, "scopes", &s) < 0)
        return NULL;
    l = authz_scopes_normalize(cat->cat, s.v, s.n, NULL, &err);
    strlist_clear(&s);
    return list_result(st, l, &err);
}

PyDoc_STRVAR(normalize_allow_doc,
"normalize_allow(allow, *, catalog=None, max_allow=128) -> list[str]\n\n"
"The normal form of an allow list (docs/SPEC.md section 3): ['*:*'] if it\n"
"holds '*:*'; 'T:*' absorbs 'T:<id>'; duplicates go; ids lower-case;\n"
"sorted.");

static PyObject *m_normalize_allow(PyObject *m, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"allow", "catalog", "max_allow", NULL};
    authz_state *st = state_of_module(m);
    PyObject *allow, *catalog = Py_None;
    Py_ssize_t max_allow = AUTHZ_DEFAULT_MAX_ALLOW;
    CatalogObject *cat;
    authz_options opts;
    strlist a;
    authz_error err;
    authz_list *l;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$On:normalize_allow", kwlist, &allow,
                                     &catalog, &max_allow))
        return NULL;
    if ((cat = catalog_arg(st, catalog)) == NULL || options_from(&opts, 0, max_allow) < 0 ||
        strlist_from(allow, "allow", &a) < 0)
        return NULL;
    l = authz_allow_normalize(cat->cat, a.v, a.n, &opts, &err);
    strlist_clear(&a);
    return list_result(st, l, &err);
}

PyDoc_STRVAR(covers_doc,
"covers(have, want, *, catalog=None) -> (bool, list[str])\n\n"
"Does the scope list have cover want (may a token with have mint one with\n"
"want)? Returns the answer and the grants of want that are not covered,\n"
"as canonical 'T:A', 'T:*' or '*:*' strings (empty when covered).");

static PyObject *m_covers(PyObject *m, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"have", "want", "catalog", NULL};
    authz_state *st = state_of_module(m);
    PyObject *have, *want, *catalog = Py_None, *missing;
    CatalogObject *cat;
    strlist h, w;
    authz_error err;
    authz_list *l = NULL;
    bool covered = false;
    int rc;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "OO|$O:covers", kwlist, &have, &want, &catalog))
        return NULL;
    if ((cat = catalog_arg(st, catalog)) == NULL || strlist_from(have, "have", &h) < 0)
        return NULL;
    if (strlist_from(want, "want", &w) < 0) {
        strlist_clear(&h);
        return NULL;
    }
    rc = authz_scopes_cover(cat->cat, h.v, h.n, w.v, w.n, &covered, &l, NULL, &err);
    strlist_clear(&h);
    strlist_clear(&w);
    if (rc != AUTHZ_OK)
        return raise_error(st, &err);
    missing = list_to_py(l);
    authz_list_free(l);
    if (missing == NULL)
        return NULL;
    return Py_BuildValue("(NN)", PyBool_FromLong(covered), missing);
}

typedef authz_list *(*allow2_fn)(const authz_catalog *, const authz_str *, size_t,
                                 const authz_str *, size_t, const authz_options *,
                                 authz_error *);

static PyObject *allow2(PyObject *m, PyObject *args, PyObject *kw, const char *fmt,
                        allow2_fn fn)
{
    static char *kwlist[] = {"a", "b", "catalog", NULL};
    authz_state *st = state_of_module(m);
    PyObject *pa, *pb, *catalog = Py_None;
    CatalogObject *cat;
    strlist a, b;
    authz_error err;
    authz_list *l;
    if (!PyArg_ParseTupleAndKeywords(args, kw, fmt, kwlist, &pa, &pb, &catalog))
        return NULL;
    if ((cat = catalog_arg(st, catalog)) == NULL || strlist_from(pa, "a", &a) < 0)
        return NULL;
    if (strlist_from(pb, "b", &b) < 0) {
        strlist_clear(&a);
        return NULL;
    }
    l = fn(cat->cat, a.v, a.n, b.v, b.n, NULL, &err);
    strlist_clear(&a);
    strlist_clear(&b);
    return list_result(st, l, &err);
}

PyDoc_STRVAR(intersect_allow_doc,
"intersect_allow(a, b, *, catalog=None) -> list[str]\n\n"
"The objects both allow lists admit, in normal form. An empty result\n"
"(which, in a token, denies everything) is an empty list.");

static PyObject *m_intersect_allow(PyObject *m, PyObject *args, PyObject *kw)
{
    return allow2(m, args, kw, "OO|$O:intersect_allow", authz_allow_intersect);
}

PyDoc_STRVAR(union_allow_doc,
"union_allow(a, b, *, catalog=None) -> list[str]\n\n"
"The objects either allow list admits, in normal form.");

static PyObject *m_union_allow(PyObject *m, PyObject *args, PyObject *kw)
{
    return allow2(m, args, kw, "OO|$O:union_allow", authz_allow_union);
}

PyDoc_STRVAR(validate_scope_doc,
"validate_scope(scope, public=False, *, catalog=None) -> None\n\n"
"Raises authz.Error unless scope is a valid scope of the catalog; with\n"
"public=True, also unless a token may request it at creation\n"
"(ENOTPUBLIC).");

static PyObject *m_validate_scope(PyObject *m, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"scope", "public", "catalog", NULL};
    authz_state *st = state_of_module(m);
    PyObject *scope, *catalog = Py_None;
    int public = 0;
    CatalogObject *cat;
    const char *p;
    Py_ssize_t n;
    authz_error err;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "U|p$O:validate_scope", kwlist, &scope,
                                     &public, &catalog))
        return NULL;
    if ((cat = catalog_arg(st, catalog)) == NULL)
        return NULL;
    p = PyUnicode_AsUTF8AndSize(scope, &n);
    if (p == NULL)
        return NULL;
    if (authz_scope_validate(cat->cat, p, (size_t)n, public ? AUTHZ_PUBLIC : 0u, &err) !=
        AUTHZ_OK)
        return raise_error(st, &err);
    Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
    {"normalize_scopes", (PyCFunction)(void (*)(void))m_normalize_scopes,
     METH_VARARGS | METH_KEYWORDS, normalize_scopes_doc},
    {"normalize_allow", (PyCFunction)(void (*)(void))m_normalize_allow,
     METH_VARARGS | METH_KEYWORDS, normalize_allow_doc},
    {"covers", (PyCFunction)(void (*)(void))m_covers, METH_VARARGS | METH_KEYWORDS,
     covers_doc},
    {"intersect_allow", (PyCFunction)(void (*)(void))m_intersect_allow,
     METH_VARARGS | METH_KEYWORDS, intersect_allow_doc},
    {"union_allow", (PyCFunction)(void (*)(void))m_union_allow, METH_VARARGS | METH_KEYWORDS,
     union_allow_doc},
    {"validate_scope", (PyCFunction)(void (*)(void))m_validate_scope,
     METH_VARARGS | METH_KEYWORDS, validate_scope_doc},
    {NULL, NULL, 0, NULL}};

/* ---- module ------------------------------------------------------------ */

static const struct {
    const char *name;
    int value;
} constants[] = {
    {"EINVAL", AUTHZ_EINVAL},         {"ENOMEM", AUTHZ_ENOMEM},
    {"ESYNTAX", AUTHZ_ESYNTAX},       {"ETYPE", AUTHZ_ETYPE},
    {"EACTION", AUTHZ_EACTION},       {"ESCOPE", AUTHZ_ESCOPE},
    {"EUUID", AUTHZ_EUUID},           {"ELIMIT", AUTHZ_ELIMIT},
    {"ETOOLONG", AUTHZ_ETOOLONG},     {"ECATALOG", AUTHZ_ECATALOG},
    {"ENOTPUBLIC", AUTHZ_ENOTPUBLIC}, {"EFORMAT", AUTHZ_EFORMAT},
    {"EVERSION", AUTHZ_EVERSION},     {"EMISMATCH", AUTHZ_EMISMATCH},
    {"ECHECKSUM", AUTHZ_ECHECKSUM},   {"ESPACE", AUTHZ_ESPACE},
    {"LIST_NONE", AUTHZ_LIST_NONE},   {"LIST_SCOPES", AUTHZ_LIST_SCOPES},
    {"LIST_ALLOW", AUTHZ_LIST_ALLOW}, {"LIST_CATALOG", AUTHZ_LIST_CATALOG},
    {"LIST_SCOPES2", AUTHZ_LIST_SCOPES2}, {"LIST_ALLOW2", AUTHZ_LIST_ALLOW2},
    {"LIST_ENCODING", AUTHZ_LIST_ENCODING},
    {"LIST_ENCODING_TEXT", AUTHZ_LIST_ENCODING_TEXT},
};

PyDoc_STRVAR(Error_doc,
"An error reported by libauthz.\n\n"
"str(e) is the library's message, which quotes the entry at fault.\n"
"Attributes: code (authz.ESYNTAX, authz.EUUID, ...), list (authz.LIST_SCOPES,\n"
"authz.LIST_ALLOW, ...), index (of the entry in that list), offset (byte\n"
"offset in the entry's UTF-8), line and column (catalog text; else 0).");

static int module_exec(PyObject *m)
{
    authz_state *st = state_of_module(m);
    size_t i;
    PyObject *base;

    st->Error = PyErr_NewExceptionWithDoc("authz.Error", Error_doc, NULL, NULL);
    if (st->Error == NULL || PyModule_AddObjectRef(m, "Error", st->Error) < 0)
        return -1;
    st->CatalogType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &Catalog_spec, NULL);
    if (st->CatalogType == NULL || PyModule_AddType(m, st->CatalogType) < 0)
        return -1;
    st->TokenType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &Token_spec, NULL);
    if (st->TokenType == NULL || PyModule_AddType(m, st->TokenType) < 0)
        return -1;
    st->TargetType = (PyTypeObject *)PyType_FromModuleAndSpec(m, &Target_spec, NULL);
    if (st->TargetType == NULL || PyModule_AddType(m, st->TargetType) < 0)
        return -1;
    st->ExplanationType = PyStructSequence_NewType(&Explanation_desc);
    if (st->ExplanationType == NULL ||
        PyModule_AddObjectRef(m, "Explanation", (PyObject *)st->ExplanationType) < 0)
        return -1;
    st->coder = catalog_wrap(st->CatalogType, authz_catalog_coder(), NULL);
    if (st->coder == NULL)
        return -1;
    for (i = 0; i < 8; i++) {
        st->reasons[i] = PyUnicode_InternFromString(reason_names[i]);
        if (st->reasons[i] == NULL)
            return -1;
    }
    for (i = 0; i < sizeof constants / sizeof constants[0]; i++)
        if (PyModule_AddIntConstant(m, constants[i].name, constants[i].value) < 0)
            return -1;
    base = PyUnicode_FromString(authz_version());
    if (base == NULL || PyModule_AddObject(m, "library_version", base) < 0) {
        Py_XDECREF(base);
        return -1;
    }
    if (PyModule_AddStringConstant(m, "__version__", AUTHZ_VERSION_STRING) < 0)
        return -1;
    return 0;
}

static int module_traverse(PyObject *m, visitproc visit, void *arg)
{
    authz_state *st = state_of_module(m);
    int i;
    Py_VISIT(st->Error);
    Py_VISIT(st->CatalogType);
    Py_VISIT(st->TokenType);
    Py_VISIT(st->TargetType);
    Py_VISIT(st->ExplanationType);
    Py_VISIT(st->coder);
    for (i = 0; i < 8; i++)
        Py_VISIT(st->reasons[i]);
    return 0;
}

static int module_clear(PyObject *m)
{
    authz_state *st = state_of_module(m);
    int i;
    Py_CLEAR(st->Error);
    Py_CLEAR(st->coder);
    Py_CLEAR(st->CatalogType);
    Py_CLEAR(st->TokenType);
    Py_CLEAR(st->TargetType);
    Py_CLEAR(st->ExplanationType);
    for (i = 0; i < 8; i++)
        Py_CLEAR(st->reasons[i]);
    return 0;
}

static void module_free(void *m)
{
    module_clear((PyObject *)m);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL}};

PyDoc_STRVAR(module_doc,
"Token scopes and allow lists, compiled once and checked in nanoseconds.\n\n"
"A thin binding of libauthz: every decision, error and normal form is the\n"
"C library's (semantics: docs/SPEC.md).\n\n"
"    import authz\n"
"    tok = authz.Token(['workspace:read'], ['workspace:' + wid])\n"
"    if tok.check('workspace', wid, 'read'): ...\n\n"
"Tokens and catalogs are immutable and may be shared by threads. The GIL\n"
"is held during every call: a check costs less than releasing it would.");

static struct PyModuleDef authz_module = {
    PyModuleDef_HEAD_INIT, "authz._authz", module_doc, sizeof(authz_state), module_methods,
    module_slots, module_traverse, module_clear, module_free};

PyMODINIT_FUNC PyInit__authz(void)
{
    return PyModuleDef_Init(&authz_module);
}
