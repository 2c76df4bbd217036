package org.dmaemu.node.report;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** Reads a rendered page with the JDK's XML parser, as the page promises it can be. */
public final class ReportXml {

  private ReportXml() {}

  public static Document parse(String page) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setExpandEntityReferences(false);
      return factory.newDocumentBuilder().parse(new InputSource(new StringReader(page)));
    } catch (Exception e) {
      throw new AssertionError("the page is not well-formed XML: " + e.getMessage(), e);
    }
  }

  static List<Node> nodes(Document doc, String xpath) {
    try {
      NodeList list = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, doc, XPathConstants.NODESET);
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < list.getLength(); i++) {
        nodes.add(list.item(i));
      }
      return nodes;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static List<String> texts(Document doc, String xpath) {
    return nodes(doc, xpath).stream().map(Node::getTextContent).toList();
  }

  static int count(Document doc, String xpath) {
    return nodes(doc, xpath).size();
  }
}
