package dev.jaxlab.mongostandin;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.net.InetSocketAddress;

/**
 * Starts mongo-java-server (in-memory backend) on 127.0.0.1 and the port in
 * the first argument (0 or none: a free one), prints {@code PORT <n>} on one
 * line, and serves until stdin closes or the process is terminated. Its
 * oplog is on, so that it serves change streams, unless the second argument
 * is {@code --no-oplog} (a stand-in for a standalone MongoDB server).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
    boolean oplog = !(args.length > 1 && args[1].equals("--no-oplog"));
    MongoServer server = new MongoServer(
        // The Node.js driver 6 needs wire version 8 or later.
        new MemoryBackend().version(ServerVersion.MONGO_5_0));
    if (oplog) {
      // The oplog makes it serve change streams ($changeStream, resumeAfter).
      server.enableOplog();
    }
    server.bind("127.0.0.1", port);
    InetSocketAddress address = server.getLocalAddress();
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    System.out.println("PORT " + address.getPort());
    System.out.flush();
    // Dies with its parent: the test helper holds our stdin open.
    while (System.in.read() != -1) {
      // discard
    }
    server.shutdownNow();
    System.exit(0);
  }
}
