/**
 * Given names common across many languages, used to spot a person's full name in running text ("ask Priya Raman",
 * "Jonas Weber fixed it") when no known name and no author line gives it away. Only a given name followed by a
 * capitalised surname counts, and names that are also everyday or technical words (Will, Grant, Ruby, Jasmine) are
 * left out, so "Ruby Gems" or "Will Not" stay.
 */
export const FIRST_NAMES = new Set(`
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony Donald
Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas
Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Jack Dennis Jerry Tyler
Aaron Jose Adam Nathan Henry Douglas Zachary Peter Kyle Noah Ethan Jeremy Walter Christian Keith Roger Terry Austin
Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan Jesse Bryan Billy Bruce Gabriel Joe Logan Alan Juan Albert
Willie Elijah Randy Wayne Vincent Russell Louis Philip Bobby Johnny Bradley Mary Patricia Jennifer Linda Elizabeth
Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Sandra Margaret Ashley Kimberly Emily Donna Michelle Dorothy
Amanda Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma
Nicole Helen Samantha Katherine Christine Debra Rachel Catherine Carolyn Janet Maria Heather Diane Julie Joyce
Victoria Kelly Christina Lauren Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann
Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Denise Marilyn Danielle Beverly Isabella Theresa
Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Jane Oliver Liam Lucas Mason Aiden Caleb Owen Isaac Luke
Sebastian Mateo Leo Julian Ezra Lincoln Jaxon Asher Nolan Camila Olivia Ava Mia Harper Amelia Ella Chloe Aria
Scarlett Zoe Zoey Nora Lily Eleanor Hazel Addison Luna Stella Ellie Paisley Leah Audrey Savannah Claire Skylar Lucy
Caroline Aaliyah Kennedy Kinsley Allison Naomi Elena Sofia Sophie Valentina Ximena Lucia Carlos Luis Miguel Jorge
Pedro Pablo Diego Javier Alejandro Fernando Ricardo Eduardo Sergio Manuel Rafael Andres Alberto Raul Enrique Ramon
Francisco Antonio Jesus Mario Roberto Hector Oscar Ruben Gonzalo Ignacio Santiago Rodrigo Carmen Rosa Ana Isabel
Pilar Dolores Beatriz Cristina Marta Raquel Silvia Paula Alba Irene Nuria Lorena Hans Klaus Jurgen Jürgen Stefan
Andreas Wolfgang Uwe Dieter Matthias Thorsten Jens Sven Lars Jonas Lukas Felix Maximilian Florian Tobias Niklas
Moritz Philipp Johannes Julia Katrin Sabine Ursula Petra Monika Claudia Birgit Anke Heike Ingrid Greta Lena Lea
Johanna Jean-Pierre Pierre Jacques Michel Philippe Alain Nicolas Olivier Francois François Laurent Sylvain Thierry
Julien Mathieu Guillaume Antoine Baptiste Camille Manon Chloé Mathilde Amélie Amelie Céline Celine Nathalie Isabelle
Sylvie Valérie Valerie Giuseppe Giovanni Marco Luca Matteo Alessandro Lorenzo Francesco Stefano Davide Simone
Federico Riccardo Giorgio Paolo Giulia Francesca Chiara Martina Alessia Elisa Federica Raj Rahul Amit Arjun Vikram
Sanjay Rohan Aditya Ankit Anand Ravi Suresh Ramesh Deepak Karthik Vivek Nikhil Pranav Varun Siddharth Priya Ananya
Divya Pooja Neha Sneha Kavya Lakshmi Deepika Shreya Aishwarya Meera Anjali Sunita Wei Jing Hao Yang Xin Fang Ying
Jian Qiang Zhang Chen Xiao Hiroshi Takashi Kenji Yuki Haruto Sota Kaito Akira Satoshi Yuto Daisuke Sakura Yui Hina
Aoi Mei Haruka Yuna Mohammed Muhammad Ahmed Ali Omar Hassan Hussein Ibrahim Yusuf Khalid Tariq Karim Mustafa Fatima
Aisha Layla Leila Zainab Mariam Yasmin Amina Hana Ivan Dmitri Dmitry Sergei Sergey Alexei Alexey Andrei Andrey
Nikolai Vladimir Mikhail Pavel Yuri Igor Oleg Olga Natalia Natasha Svetlana Tatiana Irina Ekaterina Anastasia Piotr
Krzysztof Tomasz Marek Pawel Paweł Łukasz Lukasz Agnieszka Katarzyna Magdalena Zofia Erik Anders Magnus Nils Olof
Henrik Karin Astrid Freya Sigrid Elin Maja Ebba Linnea Mikko Jukka Matti Aino Kwame Kofi Chinedu Emeka Oluwaseun
Tunde Ngozi Chiamaka Amara Thabo Sipho Lindiwe Zanele Tendai Fatou Moussa Mamadou Ousmane Aminata Joao João Tiago
Gustavo Thiago Rafaela Bruna Larissa Leticia Letícia Yara Cem Emre Burak Mehmet Ayşe Ayse Zeynep Kemal Murat Nguyen
Minh Thanh Linh Anh Huy Tuan Seo-yeon Ji-hoon Min-jun Seo-jun Ha-eun Ji-woo Jiwoo Jisoo Hyun Soo-ah Priyanka Arun
Kiran Sai Gopal Mohan Harish Nitin Rajesh Manoj Aleksandr Alexandra  Nadia Nina Vera Eva Ida Clara Klara Tessa
Lotte Sanne Femke Daan Bram Thijs Wouter Pieter Joost Maarten Koen Sander Eline Fleur Anouk Jesper Rasmus Mads
Frederik Mette Sofie Ciaran Cian Niamh Siobhan Aoife Saoirse Padraig Eoin Declan Ronan Fiona Alistair Hamish Callum
Ewan Isla Mairi Rhys Gareth Dafydd Cerys Bethan Siân Sian Connor Shaun Gavin Craig Neil Colin Malcolm Graham Duncan
Fraser Marcus Tristan Damian Adrian Dominic Quentin Simon Martin Emil Anton Viktor Victor Leon Elias Theo Marcel
Marlene Frieda Luisa Maren Svenja Wiebke Jannik Finn Malte Jannis Fynn Timo Marius
Étienne Etienne Théo Clément Clement Hélène Helene Aurélie Aurelie Élodie Elodie Rémi Remi Jérôme Jerome Frédéric
Frederic Stéphane Stephane Sébastien Sebastien Benoît Benoit Gaël Gael Loïc Loic Zoë Noémie Noemie Léa Maëlle Inès
Ines Océane José María Sofía Andrés Íñigo Inigo Álvaro Alvaro Jesús Joaquín Joaquin Martín Lucía Mónica Monica
Björn Bjorn Søren Soren Jørgen Jorgen Åsa Asa Özlem Ozlem Gül Şule Sule Ömer Omer Çağla Cagla Zoltán Zoltan Ágnes
Agnes Dávid Tomáš Tomas Jiří Jiri Lukáš Lukas Ondřej Ondrej Michał Michal Wojciech Małgorzata Malgorzata Bogdan
Răzvan Razvan Ioana Andreea Mihai Nikola Milica Dragan Goran Ana-Maria Hyun-woo Jae-won Eun-ji Takumi Ryota
Shota Haruki Aiko Emi Naoko Keiko Tariq Rashid Samir Nabil Rania Salma Dina Reem Youssef Bilal Hamza Zara Aliyu
Babajide Chukwuemeka Obinna Adaeze Folake Yetunde Wanjiru Njeri Otieno Baraka Zawadi Asha Ikaika Keanu Tevita Sione
Abraham Adrienne Aidan Alana Alec Alejandra Alfonso Alfred Alfredo Alison Allen Alvin Ami Amos Andre Angelica
Angelina Angelo Anita Annabelle Annette Annie Antonia Ariana Arianna Ariel Arlo Armando Arnold Arturo Ashton Aubrey
Audra Avery Axel Barry Beau Becky Ben Benedict Bernard Bernadette Bertha Beth Betsy Bianca Bonnie Brad Brandi Brandy
Brendan Brenna Brett Bridget Brooke Bryce Byron Caitlin Calvin Cameron Candace Carla Carlton Carol Carrie Casey
Cassandra Cecilia Cedric Celia Chad Chelsea Cheyenne Christa Ciara Clarence Claude Clayton Clifford Clint Clinton
Cody Colleen Connie Conrad Constance Corey Courtney Cristian Curtis Dale Damon Dana Dante Darius Darlene Darnell
Darren Darryl Dave Deanna Debbie Delia Derek Derrick Desiree Devin Devon Dominique Donovan Doris Duane Dustin Dwayne
Dwight Edgar Edith Edmund Edwin Eileen Elaine Eli Elise Eliza Ellen Elliot Elliott Eloise Elsa Elsie Emanuel Emilia
Emilio Emmanuel Erica Erika Erin Ernest Ernesto Esperanza Esteban Esther Ethel Eugene Evan Everett Fabian Felicia
Felipe Floyd Forrest Francis Franklin Frederick Gabriela Gabrielle Garrett Geneva Genevieve Georgia Gerardo Gertrude
Gilbert Gladys Gordon Graciela Gretchen Guadalupe Guillermo Gwen Gwendolyn Hailey Haley Harriet Harvey Heidi Herbert
Hilda Horace Howard Hubert Ian Ilse Irma Isaiah Ismael Jaden Jamal Jamie Janelle Janine Jared Jay Jayden Jeanette
Jeanne Jeff Jenna Jenny Jeremiah Jill Joanna Joanne Jodi Joel Johnathan Jolene Jon Jonah Josefina Josephine Josie
Juanita Juliana Julius Justine Kara Kari Karina Kate Katelyn Katie Katrina Keisha Kelvin Kendall Kendra Kristen
Kristin Kristina Kristy Latoya Laurie Laverne Leland Leona Leonard Leonardo Leroy Leslie Lester Lillian Lindsay
Lindsey Lionel Lois Lorraine Louise Lucille Lydia Lynn Mabel Mackenzie Madeline Madelyn Maggie Malik Mandy Marc
Marcia Margarita Margo Mariah Marian Marion Marisol Marjorie Marla Marvin Maryann Maxine Maureen Maurice Melanie
Melinda Melody Melvin Meredith Micah Michele Mildred Miranda Miriam Mitchell Molly Monique Myra Myron
Nadine Nathaniel Neal Norma Norman Orlando Pam Patsy Patti Pauline Peggy Penelope Phillip Phoebe Phyllis Preston
Priscilla Rachael Ramiro Ramona Randall Rebekah Reginald Rhonda Riley Roberta Robin Rochelle Rodney Rodolfo Rogelio
Roland Rolando Rosalie Rosemary Roxanne Rudy Ruth Sabrina Sadie Sally Salvador Sandy Saul Selena Serena Seth Shana
Shane Shannon Shari Shawn Shawna Sheila Shelby Shelley Sheri Sherman Sherry Sidney Sienna Sonia Sonja Sonya Stacey
Stacy Stanley Stephan Stewart Stuart Susie Suzanne Sylvester Sylvia Tabitha Tamara Tami Tammy Tanya Tara Terence
Terrance Terrell Tess Thelma Theodore Tiffany Todd Tonya Tracey Travis Trevor Trisha Tyrone Vanessa Verna Vernon
Veronica Vicki Vickie Vicky Virgil Virginia Vivian Wanda Wendy Wesley Whitney Wilbur Wilma Yolanda Yvette Yvonne
Zane
`.split(/\s+/).filter(Boolean));
