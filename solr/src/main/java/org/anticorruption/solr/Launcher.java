package org.anticorruption.solr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Serves a single Solr core named "ckan" on 127.0.0.1.
 *
 * <p>Usage: {@code Launcher <solr-home> <port> <ckan-schema.xml>}. At every start the
 * configuration of the core is written anew from the given CKAN schema (so it always matches
 * the installed CKAN); the index itself, under {@code <solr-home>/ckan/data}, is kept.
 */
public final class Launcher {

  private static final String SOLR_CONFIG =
      String.join(
          "\n",
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
          "<config>",
          "  <luceneMatchVersion>9.0</luceneMatchVersion>",
          "  <dataDir>${solr.data.dir:}</dataDir>",
          "  <directoryFactory name=\"DirectoryFactory\""
              + " class=\"${solr.directoryFactory:solr.NRTCachingDirectoryFactory}\"/>",
          // Read CKAN's schema.xml as it is; the managed factory would rewrite it.
          "  <schemaFactory class=\"ClassicIndexSchemaFactory\"/>",
          "  <updateHandler class=\"solr.DirectUpdateHandler2\">",
          "    <updateLog><str name=\"dir\">${solr.ulog.dir:}</str></updateLog>",
          "  </updateHandler>",
          "  <requestHandler name=\"/select\" class=\"solr.SearchHandler\"/>",
          "</config>",
          "");

  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: Launcher <solr-home> <port> <ckan-schema.xml>");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    int port = Integer.parseInt(args[1]);
    Path schema = Path.of(args[2]);
    if (!Files.isReadable(schema)) {
      System.err.println("CKAN's Solr schema is not readable: " + schema);
      System.exit(2);
    }
    writeHome(home, schema);

    JettySolrRunner runner =
        new JettySolrRunner(
            home.toString(),
            JettyConfig.builder().setContext("/solr").setPort(port).stopAtShutdown(true).build());
    runner.start();
    if (runner.getCoreContainer().getCore("ckan") == null) {
      System.err.println("the ckan core did not load: " + runner.getCoreContainer().getCoreInitFailures());
      runner.stop();
      System.exit(1);
    }
    System.out.println("Solr is serving " + runner.getBaseUrl() + "/ckan");
    Thread.currentThread().join();
  }

  private static void writeHome(Path home, Path schema) throws IOException {
    Path conf = home.resolve("ckan").resolve("conf");
    Files.createDirectories(conf);
    write(home.resolve("solr.xml"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<solr/>\n");
    write(home.resolve("ckan").resolve("core.properties"), "name=ckan\n");
    write(conf.resolve("solrconfig.xml"), SOLR_CONFIG);
    // Both files are referenced by CKAN's field types; CKAN ships neither.
    write(conf.resolve("synonyms.txt"), "");
    write(conf.resolve("protwords.txt"), "");
    Files.copy(schema, conf.resolve("schema.xml"), StandardCopyOption.REPLACE_EXISTING);
  }

  private static void write(Path path, String text) throws IOException {
    Files.writeString(path, text, StandardCharsets.UTF_8);
  }
}
