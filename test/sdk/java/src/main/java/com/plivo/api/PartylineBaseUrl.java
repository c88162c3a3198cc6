package com.plivo.api;

/**
 * Points the Java SDK's PHLO client at another server. {@code PhloRestClient.BASE_URL} is
 * {@code protected static} and read when {@code Plivo.init} builds the PHLO client; the SDK's own
 * tests assign it from this package (src/test/java/com/plivo/api/BaseTest.java), which is the one
 * way to change it without replacing the client's HTTP stack.
 */
public final class PartylineBaseUrl {
  private PartylineBaseUrl() {}

  /** {@code url} ends with "/v1/", like the SDK's default "https://phlorunner.plivo.com/v1/". */
  public static void set(String url) {
    PhloRestClient.BASE_URL = url;
  }
}
