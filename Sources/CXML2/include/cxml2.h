/* A small C API over libxml2 for Custody's XML readers. libxml2's own headers stay in cxml2.c:
   they pull in ICU's, which clash with Foundation's copy when Swift imports them. Nodes and
   attributes are opaque pointers, valid while their document lives. */
#ifndef CUSTODY_CXML2_H
#define CUSTODY_CXML2_H

/* Parses `size` bytes with no network, no entity substitution and no DTD loading (no external
   entity is ever fetched or expanded), libxml2's depth and size limits kept. NULL on failure,
   with libxml2's message in `error` and its line in `*line`. */
void *custody_xml_read(const char *bytes, int size, char *error, int error_size, int *line);
void custody_xml_free_document(void *document);
void *custody_xml_root(void *document);

/* 1: an element, 3: text, 4: CDATA (libxml2's node types); others are skipped by readers. */
int custody_xml_kind(void *node);
const char *custody_xml_name(void *node);
/* A text or CDATA node's text. */
const char *custody_xml_content(void *node);
int custody_xml_line(void *node);
void *custody_xml_first_child(void *node);
void *custody_xml_next(void *node);

void *custody_xml_first_attribute(void *node);
void *custody_xml_next_attribute(void *attribute);
const char *custody_xml_attribute_name(void *attribute);
/* The attribute's value, to be released with custody_xml_free. */
char *custody_xml_attribute_value(void *node, void *attribute);
void custody_xml_free(void *pointer);

#endif
