package org.deeplearning4j.interpret.model;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The names of a classifier's classes, by output index, and lookup by name: a class is found by its index, its full
 * name, or any of its comma-separated synonyms (case-insensitive), e.g. ImageNet's
 * {@code "tabby, tabby cat"} by {@code "tabby cat"}. Immutable.
 */
public final class ClassNames {
    private final List<String> names;

    private ClassNames(List<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("A class list needs at least one name");
        }
        this.names = List.copyOf(names);
    }

    /**
     * @param names one name per class index
     * @return the list
     */
    public static ClassNames of(List<String> names) {
        return new ClassNames(names);
    }

    /**
     * @param names one name per class index
     * @return the list
     */
    public static ClassNames of(String... names) {
        return new ClassNames(List.of(names));
    }

    /**
     * Reads one name per line (UTF-8); blank lines and lines starting with {@code #} are skipped.
     *
     * @param in the stream (closed)
     * @return the list
     * @throws IOException on read failure
     */
    public static ClassNames read(InputStream in) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    out.add(line.trim());
                }
            }
        }
        return new ClassNames(out);
    }

    /** @return the number of classes */
    public int size() {
        return names.size();
    }

    /**
     * @param index class index
     * @return its full name
     */
    public String name(int index) {
        check(index);
        return names.get(index);
    }

    /**
     * @param index class index
     * @return its first synonym, e.g. {@code tabby}
     */
    public String shortName(int index) {
        check(index);
        return names.get(index).split(",")[0].trim();
    }

    /** @return all names in index order */
    public List<String> names() {
        return names;
    }

    private void check(int index) {
        if (index < 0 || index >= names.size()) {
            throw new IllegalArgumentException("Class index " + index + " is out of range: valid 0.." + (names.size()
                    - 1));
        }
    }

    /**
     * @param query a class index ("281"), a full name or one synonym, case-insensitive
     * @return the class index
     * @throws IllegalArgumentException naming the query and the closest names when nothing matches
     */
    public int indexOf(String query) {
        if (query == null || query.isBlank()) {
            throw new IllegalArgumentException("Empty class name; give a class index 0.." + (size() - 1) + " or a name");
        }
        String q = query.trim();
        if (q.chars().allMatch(Character::isDigit)) {
            int i = Integer.parseInt(q);
            check(i);
            return i;
        }
        String lq = q.toLowerCase(Locale.ROOT);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).toLowerCase(Locale.ROOT).equals(lq)) {
                return i;
            }
        }
        for (int i = 0; i < names.size(); i++) {
            for (String syn : names.get(i).split(",")) {
                if (syn.trim().toLowerCase(Locale.ROOT).equals(lq)) {
                    return i;
                }
            }
        }
        List<String> near = new ArrayList<>();
        for (int i = 0; i < names.size() && near.size() < 5; i++) {
            if (names.get(i).toLowerCase(Locale.ROOT).contains(lq)) {
                near.add(i + " (" + names.get(i) + ")");
            }
        }
        throw new IllegalArgumentException("Unknown class '" + q + "'" + (near.isEmpty()
                ? "; give an index 0.." + (size() - 1) + " or a name such as '" + shortName(0) + "'"
                : "; did you mean " + near.stream().collect(Collectors.joining(", ")) + "?"));
    }

    @Override
    public String toString() {
        return "ClassNames[" + size() + ": " + shortName(0) + (size() > 1 ? ", ..." : "") + "]";
    }
}
