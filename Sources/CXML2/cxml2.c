#include "cxml2.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <stdio.h>

void *custody_xml_read(const char *bytes, int size, char *error, int error_size, int *line) {
    int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
    xmlDocPtr document = xmlReadMemory(bytes, size, "report.xml", NULL, options);
    if (document == NULL) {
        const xmlError *last = xmlGetLastError();
        snprintf(error, (size_t)error_size, "%s", last != NULL && last->message != NULL ? last->message : "unreadable");
        *line = last != NULL ? last->line : 0;
    }
    return document;
}

void custody_xml_free_document(void *document) { xmlFreeDoc((xmlDocPtr)document); }
void *custody_xml_root(void *document) { return xmlDocGetRootElement((xmlDocPtr)document); }
int custody_xml_kind(void *node) { return (int)((xmlNodePtr)node)->type; }
const char *custody_xml_name(void *node) { return (const char *)((xmlNodePtr)node)->name; }
const char *custody_xml_content(void *node) { return (const char *)((xmlNodePtr)node)->content; }
int custody_xml_line(void *node) { return (int)xmlGetLineNo((xmlNodePtr)node); }
void *custody_xml_first_child(void *node) { return ((xmlNodePtr)node)->children; }
void *custody_xml_next(void *node) { return ((xmlNodePtr)node)->next; }
void *custody_xml_first_attribute(void *node) { return ((xmlNodePtr)node)->properties; }
void *custody_xml_next_attribute(void *attribute) { return ((xmlAttrPtr)attribute)->next; }
const char *custody_xml_attribute_name(void *attribute) { return (const char *)((xmlAttrPtr)attribute)->name; }

char *custody_xml_attribute_value(void *node, void *attribute) {
    return (char *)xmlNodeListGetString(((xmlNodePtr)node)->doc, ((xmlAttrPtr)attribute)->children, 1);
}

void custody_xml_free(void *pointer) { xmlFree(pointer); }
